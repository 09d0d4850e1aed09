using System.Runtime.CompilerServices;

namespace ModelActors.Models;

/// <summary>
/// modelkit's per-call contract: resolve the batch size (call > model setting > whole list or 1), cut
/// the input into chunks, keep a bounded number of chunks in flight, and put results back in input order.
/// </summary>
internal static class Chunking
{
    public static int ResolveBatchSize(int? callBatchSize, int? modelBatchSize, int fallback)
    {
        if (callBatchSize is < 1)
        {
            throw new ArgumentOutOfRangeException("batchSize", callBatchSize, "The batch size must be at least 1.");
        }

        return callBatchSize ?? modelBatchSize ?? Math.Max(1, fallback);
    }

    public static async ValueTask<IReadOnlyList<TResult>> PredictBatchAsync<TItem, TResult>(
        ModelEntry<TItem, TResult> entry, IReadOnlyList<TItem> items, int? batchSize, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var size = ResolveBatchSize(batchSize, entry.Definition.BatchSize, items.Count);
        if (items.Count == 0)
        {
            return [];
        }

        if (size >= items.Count)
        {
            return await entry.PredictChunkAsync(items, cancellationToken, caller).ConfigureAwait(false);
        }

        var results = new TResult[items.Count];
        using var chunks = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<(int Offset, ValueTask<IReadOnlyList<TResult>> Task)>();
        try
        {
            for (var offset = 0; offset < items.Count; offset += size)
            {
                if (inFlight.Count == entry.MaxChunksInFlight)
                {
                    await CollectAsync(inFlight.Dequeue(), results).ConfigureAwait(false);
                }

                var slice = new ListSlice<TItem>(items, offset, Math.Min(size, items.Count - offset));
                inFlight.Enqueue((offset, entry.PredictChunkAsync(slice, chunks.Token, caller)));
            }

            while (inFlight.Count > 0)
            {
                await CollectAsync(inFlight.Dequeue(), results).ConfigureAwait(false);
            }

            return results;
        }
        catch
        {
            // The call failed: chunks still queued are dropped before they reach the model.
            await chunks.CancelAsync().ConfigureAwait(false);
            await DrainAsync(inFlight).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <see cref="PredictBatchAsync"/> for a blocked caller (the sync gateway), on the caller's own thread: it posts the
    /// chunks and waits for each in turn, so no continuation (and no thread-pool thread) stands between a chunk's answer
    /// and the caller, whose reply slots the replicas complete directly.
    /// </summary>
    public static IReadOnlyList<TResult> PredictBatchBlocking<TItem, TResult>(
        ModelEntry<TItem, TResult> entry, IReadOnlyList<TItem> items, int? batchSize, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var size = ResolveBatchSize(batchSize, entry.Definition.BatchSize, items.Count);
        if (items.Count == 0)
        {
            return [];
        }

        if (size >= items.Count)
        {
            return Block(entry.PredictChunkAsync(items, cancellationToken, caller));
        }

        var results = new TResult[items.Count];
        using var chunks = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<(int Offset, ValueTask<IReadOnlyList<TResult>> Task)>();
        try
        {
            for (var offset = 0; offset < items.Count; offset += size)
            {
                if (inFlight.Count == entry.MaxChunksInFlight)
                {
                    Collect(inFlight.Dequeue(), results);
                }

                var slice = new ListSlice<TItem>(items, offset, Math.Min(size, items.Count - offset));
                inFlight.Enqueue((offset, entry.PredictChunkAsync(slice, chunks.Token, caller)));
            }

            while (inFlight.Count > 0)
            {
                Collect(inFlight.Dequeue(), results);
            }

            return results;
        }
        catch
        {
            // The call failed: chunks still queued are dropped before they reach the model; each reply slot is still read.
            chunks.Cancel();
            AbandonBlocking(inFlight.Select(chunk => chunk.Task));
            throw;
        }
    }

    private static void Collect<TResult>((int Offset, ValueTask<IReadOnlyList<TResult>> Task) chunk, TResult[] results)
    {
        var chunkResults = Block(chunk.Task);
        for (var i = 0; i < chunkResults.Count; i++)
        {
            results[chunk.Offset + i] = chunkResults[i];
        }
    }

    /// <summary>
    /// A stream call: a thin form of <see cref="Streams.ModelFlows"/>' stages, run on the library's
    /// materializer. Chunks leave full or <paramref name="maxDelay"/> (else <c>StreamMaxDelay</c>) after their first item; breaking out of
    /// the loop ends the stream, which cancels the chunks in flight.
    /// </summary>
    public static async IAsyncEnumerable<TResult> PredictStream<TItem, TResult>(
        ModelEntry<TItem, TResult> entry,
        IAsyncEnumerable<TItem> items,
        int? batchSize,
        Caller caller,
        [EnumeratorCancellation] CancellationToken cancellationToken = default,
        TimeSpan? maxDelay = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var size = ResolveBatchSize(batchSize, entry.Definition.BatchSize, 1);
        var flow = Streams.ModelFlows.Create<TItem, TResult>(
            (chunk, token) => PredictChunkAsync(entry, chunk, token, cancellationToken, caller), size, entry.MaxChunksInFlight, maxDelay ?? entry.Definition.StreamMaxDelay);
        // Buffers of one: the input is pulled only as chunks are wanted (lazy, as modelkit's predict_gen).
        var results = Akka.Streams.Dsl.Source.From(() => items)
            .Via(flow)
            .WithAttributes(Akka.Streams.Attributes.CreateInputBuffer(1, 1))
            .RunAsAsyncEnumerableBuffer(entry.Library.Materializer, 1, 1);
        var enumerator = results.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (await NextAsync(enumerator, entry).ConfigureAwait(false))
            {
                yield return enumerator.Current;
            }
        }

        // Akka ends the stream gracefully on the token: a cancelled call must not look like a complete one.
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// The next result of a stream call, unless the library's graphs are gone first (its dispose shut its materializer down
    /// while the stream ran): then the call fails with <see cref="ModelStoppedException"/>, as its chunks would have,
    /// instead of waiting for ever, or failing with an error of Akka's own (<c>StreamDetachedException</c>).
    /// </summary>
    private static async ValueTask<bool> NextAsync<TItem, TResult>(IAsyncEnumerator<TResult> enumerator, ModelEntry<TItem, TResult> entry)
    {
        var ended = entry.Library.StreamsEnded;
        try
        {
            var next = enumerator.MoveNextAsync();
            if (next.IsCompleted)
            {
                return next.GetAwaiter().GetResult();
            }

            var moving = next.AsTask();
            if (await Task.WhenAny(moving, ended).ConfigureAwait(false) == moving)
            {
                return await moving.ConfigureAwait(false);
            }

            _ = moving.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw new ModelStoppedException(entry.Name, "the library stopped while the stream ran.");
        }
        catch (Exception error) when (ended.IsCompleted && error is not ModelStoppedException and not OperationCanceledException)
        {
            throw new ModelStoppedException(entry.Name, $"the library stopped while the stream ran ({error.GetType().Name}: {error.Message}).");
        }
    }

    /// <summary>
    /// One chunk of a stream call, cancelled when the stream ends (<paramref name="ended"/>) or when the caller's token
    /// (<paramref name="callerToken"/>) fires: Akka's async enumerable completes the stream gracefully on that token, which would otherwise
    /// wait for the chunks in flight to finish (a disconnected HTTP client's call ran on to its deadline).
    /// </summary>
    private static async Task<IReadOnlyList<TResult>> PredictChunkAsync<TItem, TResult>(
        ModelEntry<TItem, TResult> entry, IReadOnlyList<TItem> chunk, CancellationToken ended, CancellationToken callerToken, Caller caller)
    {
        if (!callerToken.CanBeCanceled)
        {
            return await entry.PredictChunkAsync(chunk, ended, caller).ConfigureAwait(false);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ended, callerToken);
        return await entry.PredictChunkAsync(chunk, linked.Token, caller).ConfigureAwait(false);
    }

    public static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for a blocking caller; the replica completes the caller's reply slot, which wakes it. (The sync gateway
    /// counts its pool threads as blocked around this, see <see cref="Actors.BlockedPoolCallers"/>.)
    /// </summary>
    public static T Block<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// After a blocking call ended early (its chunks' token cancelled first): waits out each chunk still in flight,
    /// ignoring its outcome, so that every reply slot is read once.
    /// </summary>
    public static void AbandonBlocking<TResult>(IEnumerable<ValueTask<IReadOnlyList<TResult>>> inFlight)
    {
        foreach (var chunk in inFlight)
        {
            try
            {
                _ = Block(chunk);
            }
            catch (Exception)
            {
                // Already failing or cancelled.
            }
        }
    }

    private static async ValueTask CollectAsync<TResult>((int Offset, ValueTask<IReadOnlyList<TResult>> Task) chunk, TResult[] results)
    {
        var chunkResults = await chunk.Task.ConfigureAwait(false);
        for (var i = 0; i < chunkResults.Count; i++)
        {
            results[chunk.Offset + i] = chunkResults[i];
        }
    }

    private static async ValueTask DrainAsync<TResult>(Queue<(int Offset, ValueTask<IReadOnlyList<TResult>> Task)> inFlight)
    {
        while (inFlight.TryDequeue(out var chunk))
        {
            try
            {
                await chunk.Task.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Already failing or abandoned; each reply slot is still read once so it is released.
            }
        }
    }
}
