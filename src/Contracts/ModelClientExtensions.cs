namespace ModelActors;

/// <summary>Calls built on <see cref="IModelClient{TItem, TResult}"/>.</summary>
public static class ModelClientExtensions
{
    /// <summary>
    /// Predicts every item and returns each item's outcome instead of throwing on the first failure
    /// (asyncio's <c>gather(..., return_exceptions=True)</c>). Each item is its own request, so with
    /// batching on the items merge into batches and a failing item fails only its own outcome.
    /// </summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <param name="client">The model.</param>
    /// <param name="items">The items.</param>
    /// <param name="maxInFlight">How many items may be waiting at once (keep it within the model's queue capacity).</param>
    /// <param name="cancellationToken">Cancels the whole call (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>One outcome per item, in input order.</returns>
    public static async Task<IReadOnlyList<Outcome<TResult>>> PredictOutcomesAsync<TItem, TResult>(
        this IModelClient<TItem, TResult> client, IReadOnlyList<TItem> items, int maxInFlight = 256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        var outcomes = new Outcome<TResult>[items.Count];
        var inFlight = new Queue<(int Index, Task<TResult> Call)>();
        for (var i = 0; i < items.Count; i++)
        {
            if (inFlight.Count == maxInFlight)
            {
                await CollectAsync(inFlight.Dequeue(), outcomes, cancellationToken).ConfigureAwait(false);
            }

            inFlight.Enqueue((i, client.PredictAsync(items[i], cancellationToken).AsTask()));
        }

        while (inFlight.Count > 0)
        {
            await CollectAsync(inFlight.Dequeue(), outcomes, cancellationToken).ConfigureAwait(false);
        }

        return outcomes;
    }

    private static async Task CollectAsync<TResult>((int Index, Task<TResult> Call) call, Outcome<TResult>[] outcomes, CancellationToken cancellationToken)
    {
        try
        {
            outcomes[call.Index] = Outcome<TResult>.Success(await call.Call.ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            outcomes[call.Index] = Outcome<TResult>.Failure(exception);
        }
    }
}
