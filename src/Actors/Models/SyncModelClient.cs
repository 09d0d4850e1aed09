namespace ModelActors.Models;

/// <summary>
/// The sync gateway of one model: each call blocks the calling thread until the answer arrives. For
/// <c>Predict</c> and <c>PredictBatch</c> the replicas wake the blocked caller directly (no thread-pool thread is
/// needed, so callers on pool threads cannot starve their own answers); <c>PredictGen</c>'s stream runs on the
/// library's materializer, on the pool. A model's dependency client carries the calling replica's <see cref="ReplicaCall"/>,
/// so each call inherits that call's deadline.
/// </summary>
internal sealed class SyncModelClient<TItem, TResult>(ModelEntry<TItem, TResult> entry, ReplicaCall? within = null) : ISyncModelClient<TItem, TResult>
{
    private readonly Caller _blocked = new(true, within);

    public string ModelName => entry.Name;

    public TResult Predict(TItem item, CancellationToken cancellationToken = default)
    {
        // Counted as blocked before the request is sent, so that the replica's run is never queued behind this thread.
        using (Actors.BlockedPoolCallers.Enter())
        {
            return Chunking.Block(entry.PredictAsync(item, cancellationToken, _blocked));
        }
    }

    public IReadOnlyList<TResult> PredictBatch(IReadOnlyList<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        using (Actors.BlockedPoolCallers.Enter()) // before the first chunk is sent
        {
            return Chunking.PredictBatchBlocking(entry, items, batchSize, _blocked, cancellationToken);
        }
    }

    public IEnumerable<TResult> PredictGen(IEnumerable<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        _ = Chunking.ResolveBatchSize(batchSize, entry.Definition.BatchSize, 1);
        return Enumerate(items, batchSize, cancellationToken);
    }

    /// <summary>Blocks for the stream's next result, counted as a blocked pool caller meanwhile (not between results).</summary>
    private static bool MoveNext(IAsyncEnumerator<TResult> enumerator)
    {
        using (Actors.BlockedPoolCallers.Enter())
        {
            return Chunking.Block(enumerator.MoveNextAsync());
        }
    }

    private IEnumerable<TResult> Enumerate(IEnumerable<TItem> items, int? batchSize, CancellationToken cancellationToken)
    {
        var stream = Chunking.PredictStream(entry, Chunking.ToAsync(items), batchSize, _blocked with { Blocking = false }, cancellationToken);
        var enumerator = stream.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (MoveNext(enumerator))
            {
                yield return enumerator.Current;
            }
        }
        finally
        {
            var disposing = enumerator.DisposeAsync();
            if (!disposing.IsCompleted)
            {
                disposing.AsTask().GetAwaiter().GetResult();
            }
        }
    }
}
