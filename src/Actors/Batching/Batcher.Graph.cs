using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using ModelActors.Models;

namespace ModelActors.Batching;

/// <summary>
/// The batcher's graph: the channel read as batches (<see cref="QueuedBatchSource{T}"/> when MaxDelay is
/// zero; <c>ChannelSource</c> → <c>GroupedWeightedWithin(MaxBatchSize, MaxDelay)</c> otherwise) →
/// <c>SelectAsyncUnordered(replicas)</c> forming and sending each batch → <c>Sink.Ignore</c>.
/// </summary>
internal sealed partial class Batcher<TItem, TResult>
{
    private static readonly Task<NotUsed> Nothing = Task.FromResult(NotUsed.Instance);

    /// <summary>Materializes a graph over the current channel as the next generation. Called under the lock.</summary>
    private void Start()
    {
        var generation = ++_generation;
        var max = _setup.Options.MaxBatchSize;
        var groups = _setup.Options.MaxDelay == TimeSpan.Zero
            ? Source.FromGraph(new QueuedBatchSource<IQueuedPiece<TItem, TResult>>(_channel.Reader, max, piece => piece.Count))
                .ViaMaterialized(KillSwitches.Single<List<IQueuedPiece<TItem, TResult>>>(), Keep.Right)
            : ChannelSource.FromReader(_channel.Reader)
                .ViaMaterialized(KillSwitches.Single<IQueuedPiece<TItem, TResult>>(), Keep.Right)
                .GroupedWeightedWithin(max, _setup.Options.MaxDelay, Weigh)
                .Select(group => group as List<IQueuedPiece<TItem, TResult>> ?? [.. group]);
        var (killSwitch, finished) = groups
            .SelectAsyncUnordered(_setup.ReplicaCount, SendAsync)
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(_setup.Materializer);
        _killSwitch = killSwitch;
        finished.ContinueWith(t => GraphFinished(t, generation), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>GroupedWithin's weight of a piece, called once as the piece enters the window.</summary>
    private long Weigh(IQueuedPiece<TItem, TResult> piece)
    {
        PieceGrouped?.Invoke();
        return piece.Count;
    }

    /// <summary>
    /// Forms the batch from <paramref name="group"/>: each piece becomes one part; works already
    /// answered (timed out, cancelled) are dropped and accounted for here; what is left goes to the
    /// replicas. The task completes when the batch is released, freeing the replica's place in the graph.
    /// </summary>
    private Task<NotUsed> SendAsync(List<IQueuedPiece<TItem, TResult>> group)
    {
        var parts = new List<WorkPart<TItem, TResult>>(group.Count);
        bool abandoned;
        lock (_gate)
        {
            abandoned = _abandoned;
            foreach (var piece in group)
            {
                var work = piece.Work;
                var offset = piece.Offset;
                var count = piece.Count;
                if (!_queued.TryGetValue(work, out var left))
                {
                    continue; // already answered by FailQueued or a failed graph, which accounted for its items
                }

                if (left == count)
                {
                    _queued.Remove(work);
                }
                else
                {
                    _queued[work] = left - count;
                }

                parts.Add(new WorkPart<TItem, TResult>(work, offset, count, offset + count == work.Count));
            }
        }

        return Send(parts, abandoned);
    }

    private Task<NotUsed> Send(List<WorkPart<TItem, TResult>> parts, bool abandoned)
    {
        var kept = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var work = part.Work;
            if (abandoned || work.IsCompleted || (part.Offset == 0 && !work.TryBegin()))
            {
                work.TryLeaveQueue();
                if (abandoned)
                {
                    work.Fail(_setup.Stopped());
                }

                work.ItemsDone(part.Count);
                continue;
            }

            parts[kept++] = part;
        }

        if (kept == 0)
        {
            return Nothing;
        }

        parts.RemoveRange(kept, parts.Count - kept);
        var oldest = long.MaxValue;
        foreach (var part in parts)
        {
            oldest = Math.Min(oldest, part.Work.AcceptedAt);
        }

        var time = _setup.TimeProvider;
        var formed = time.GetTimestamp();
        var released = new TaskCompletionSource<NotUsed>();
        var onDone = _setup.OnDone;
        var batch = new MergedWork<TItem, TResult>(parts, oldest, () =>
        {
            onDone(time.GetElapsedTime(formed));
            released.TrySetResult(NotUsed.Instance);
        });
        _setup.OnFormed(parts);
        if (_setup.Replicas.Post(batch) != PostResult.Accepted)
        {
            batch.TryBegin();
            batch.Fail(_setup.Stopped());
            batch.Release();
        }

        return released.Task;
    }
}
