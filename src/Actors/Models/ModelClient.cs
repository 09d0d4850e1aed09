namespace ModelActors.Models;

/// <summary>
/// The async client of one model: its calls enter the model's door with a pooled reply slot. A model's dependency
/// client carries the calling replica's <see cref="ReplicaCall"/>, so each call inherits that call's deadline.
/// </summary>
internal sealed class ModelClient<TItem, TResult>(ModelEntry<TItem, TResult> entry, ReplicaCall? within = null) : IModelClient<TItem, TResult>
{
    private readonly Caller _caller = new(false, within);

    public string ModelName => entry.Name;

    /// <summary>The model this client calls.</summary>
    internal ModelEntry<TItem, TResult> Entry => entry;

    /// <summary>Who calls through this client.</summary>
    internal Caller Caller => _caller;

    public ValueTask<TResult> PredictAsync(TItem item, CancellationToken cancellationToken = default) =>
        entry.PredictAsync(item, cancellationToken, _caller);

    public ValueTask<IReadOnlyList<TResult>> PredictBatchAsync(IReadOnlyList<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default) =>
        Chunking.PredictBatchAsync(entry, items, batchSize, _caller, cancellationToken);

    public IAsyncEnumerable<TResult> PredictStream(IAsyncEnumerable<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        _ = Chunking.ResolveBatchSize(batchSize, entry.Definition.BatchSize, 1);
        return Chunking.PredictStream(entry, items, batchSize, _caller, cancellationToken);
    }

    public IAsyncEnumerable<TResult> PredictStream(IEnumerable<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return PredictStream(Chunking.ToAsync(items), batchSize, cancellationToken);
    }
}
