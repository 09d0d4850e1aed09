namespace ModelActors.Models;

/// <summary>
/// The sync gateway of one model: each call blocks the calling thread until the answer arrives. For
/// <c>Predict</c>, <c>PredictBatch</c> and <c>PredictGen</c> the replicas wake the blocked caller directly (no
/// thread-pool thread is needed, so callers on pool threads cannot starve their own answers). A model's dependency client carries the calling replica's <see cref="ReplicaCall"/>,
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
        var size = Chunking.ResolveBatchSize(batchSize, entry.Definition.BatchSize, 1);
        return Enumerate(items, size, cancellationToken);
    }

    /// <summary>
    /// The stream on the caller's own thread: pulls the input lazily (only what the chunks in flight need), keeps at most
    /// <c>MaxChunksInFlight</c> chunks in flight, and blocks for each chunk's results in input order. The replicas complete
    /// each chunk's reply slot directly, so no thread-pool thread stands between a result and this caller. Chunks are cut
    /// by count only: the input is pulled here, so a chunk waits for its items (for a live source cut by time, use
    /// <c>PredictStream</c> with an <see cref="IAsyncEnumerable{T}"/>).
    /// </summary>
    private IEnumerable<TResult> Enumerate(IEnumerable<TItem> items, int size, CancellationToken cancellationToken)
    {
        using var chunks = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<ValueTask<IReadOnlyList<TResult>>>();
        using var source = items.GetEnumerator();
        var more = true;
        try
        {
            while (true)
            {
                IReadOnlyList<TResult> results;

                // Counted as blocked from before its chunks are sent until its next results arrive (as Predict is), so
                // that no replica's run is queued behind this thread; not while the caller holds the results.
                using (Actors.BlockedPoolCallers.Enter())
                {
                    while (more && inFlight.Count < entry.MaxChunksInFlight)
                    {
                        var chunk = new List<TItem>(size);
                        while (chunk.Count < size && (more = source.MoveNext()))
                        {
                            chunk.Add(source.Current);
                        }

                        cancellationToken.ThrowIfCancellationRequested();
                        if (chunk.Count > 0)
                        {
                            inFlight.Enqueue(entry.PredictChunkAsync(chunk, chunks.Token, _blocked));
                        }
                    }

                    if (!inFlight.TryDequeue(out var next))
                    {
                        yield break;
                    }

                    results = Chunking.Block(next);
                }

                foreach (var result in results)
                {
                    yield return result;
                }
            }
        }
        finally
        {
            // The caller stopped early or a chunk failed: chunks still in flight are dropped (cancelled before they reach
            // the model, if they have not) and each reply slot is still read once.
            chunks.Cancel();
            Chunking.AbandonBlocking(inFlight);
        }
    }
}
