namespace ModelActors.Models;

/// <summary>The async client of one model: an actor reference with typed Ask.</summary>
internal sealed class ModelClient<TItem, TResult>(ModelEntry<TItem, TResult> entry) : IModelClient<TItem, TResult>
{
    public string ModelName => entry.Name;

    /// <summary>The model this client calls.</summary>
    internal ModelEntry<TItem, TResult> Entry => entry;

    public ValueTask<TResult> PredictAsync(TItem item, CancellationToken cancellationToken = default) =>
        entry.PredictAsync(item, cancellationToken, blockingCaller: false);

    public ValueTask<IReadOnlyList<TResult>> PredictBatchAsync(IReadOnlyList<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default) =>
        Chunking.PredictBatchAsync(entry, items, batchSize, blockingCaller: false, cancellationToken);

    public IAsyncEnumerable<TResult> PredictStream(IAsyncEnumerable<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        _ = Chunking.ResolveBatchSize(batchSize, entry.Definition.BatchSize, 1);
        return Chunking.PredictStream(entry, items, batchSize, blockingCaller: false, cancellationToken);
    }

    public IAsyncEnumerable<TResult> PredictStream(IEnumerable<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return PredictStream(Chunking.ToAsync(items), batchSize, cancellationToken);
    }
}
