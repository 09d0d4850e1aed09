namespace ModelActors;

/// <summary>
/// An asynchronous model: its replicas run on the thread pool and must not block; await I/O and
/// dependencies (<see cref="ModelContext.Dependency{TIn, TOut}"/>) instead.
/// </summary>
/// <remarks>
/// Override exactly one of <see cref="PredictAsync"/> and <see cref="PredictBatchAsync"/>; overriding
/// neither or both is reported when the model is registered, naming the class.
/// </remarks>
/// <typeparam name="TItem">The type of one input item.</typeparam>
/// <typeparam name="TResult">The type of one result.</typeparam>
public abstract class AsyncModel<TItem, TResult> : ModelBase<TItem, TResult>
{
    /// <summary>Loads assets and resolves dependencies. Called once per replica.</summary>
    /// <param name="context">The model's name, settings, asset path, dependencies, logger and services.</param>
    /// <param name="cancellationToken">Cancelled when the library stops while loading.</param>
    /// <returns>A task that completes when the replica is ready.</returns>
    protected virtual ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Predicts one item.</summary>
    /// <param name="item">The input item.</param>
    /// <param name="cancellationToken">Cancelled when the caller gives up.</param>
    /// <returns>The result for <paramref name="item"/>.</returns>
    protected virtual async ValueTask<TResult> PredictAsync(TItem item, CancellationToken cancellationToken)
    {
        var results = await PredictBatchAsync([item], cancellationToken).ConfigureAwait(true); // on the replica's context: see ModelActors' ReplicaSynchronizationContext
        return results.Count == 1
            ? results[0]
            : throw new ModelResultCountException(GetType().Name, 1, results.Count);
    }

    /// <summary>Predicts a batch of items; the results are in the order of the items.</summary>
    /// <param name="items">The input items; never empty.</param>
    /// <param name="cancellationToken">Cancelled when the caller gives up.</param>
    /// <returns>One result per item, in input order.</returns>
    protected virtual async ValueTask<IReadOnlyList<TResult>> PredictBatchAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken)
    {
        var results = new TResult[items.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = await PredictAsync(items[i], cancellationToken).ConfigureAwait(true); // resumes on the replica's dispatcher, not the pool
        }

        return results;
    }

    internal sealed override bool IsSync => false;

    internal sealed override ValueTask LoadCoreAsync(ModelContext context, CancellationToken cancellationToken) =>
        LoadAsync(context, cancellationToken);

    internal sealed override ValueTask<TResult> PredictOneCoreAsync(TItem item, CancellationToken cancellationToken) =>
        PredictAsync(item, cancellationToken);

    internal sealed override ValueTask<IReadOnlyList<TResult>> PredictManyCoreAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken) =>
        PredictBatchAsync(items, cancellationToken);
}
