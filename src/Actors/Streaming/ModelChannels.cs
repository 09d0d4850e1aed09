using System.Threading.Channels;

namespace ModelActors.Streaming;

/// <summary>Models as Channel-to-Channel stages.</summary>
public static class ModelChannels
{
    /// <summary>
    /// Reads items from <paramref name="input"/>, predicts them (at most <paramref name="maxInFlight"/> at
    /// once) and writes the results, in input order, to the returned bounded channel. The output
    /// completes when the input completes and everything is written; it completes with the model's
    /// exception when an item fails (or with the cancellation).
    /// </summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <param name="client">The model.</param>
    /// <param name="input">The items.</param>
    /// <param name="maxInFlight">Items predicted at once.</param>
    /// <param name="outputCapacity">The output channel's bound (the stage waits when the reader is slow).</param>
    /// <param name="cancellationToken">Stops the stage.</param>
    /// <returns>The output channel's reader.</returns>
    public static ChannelReader<TResult> PredictChannel<TItem, TResult>(
        this IModelClient<TItem, TResult> client, ChannelReader<TItem> input, int maxInFlight = 64, int outputCapacity = 1024, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        var output = Channel.CreateBounded<TResult>(new BoundedChannelOptions(outputCapacity) { SingleWriter = true });
        _ = RunAsync(client, input, output.Writer, maxInFlight, cancellationToken);
        return output.Reader;
    }

    private static async Task RunAsync<TItem, TResult>(IModelClient<TItem, TResult> client, ChannelReader<TItem> input, ChannelWriter<TResult> output, int maxInFlight, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<Task<TResult>>();
        try
        {
            await foreach (var item in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (inFlight.Count == maxInFlight)
                {
                    await output.WriteAsync(await inFlight.Dequeue().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                }

                inFlight.Enqueue(client.PredictAsync(item, cancellationToken).AsTask());
            }

            while (inFlight.Count > 0)
            {
                await output.WriteAsync(await inFlight.Dequeue().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            output.TryComplete();
        }
        catch (Exception exception)
        {
            output.TryComplete(exception);
        }
    }
}
