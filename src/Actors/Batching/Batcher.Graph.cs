using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using ModelActors.Models;

namespace ModelActors.Batching;

/// <summary>
/// The batcher's graph. MaxDelay zero: <see cref="QueuedBatchSource{T}"/> (what is queued, when a
/// replica slot is free) → <c>Select</c> forming and sending each batch → <c>Sink.Ignore</c>. Otherwise:
/// <c>ChannelSource</c> → <c>GroupedWeightedWithin(MaxBatchSize, MaxDelay)</c> →
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
        var (killSwitch, finished) = _demandDriven
            ? Source.FromGraph(new QueuedBatchSource<IQueuedPiece<TItem, TResult>>(_channel.Reader, max, piece => piece.Count, _replicaSlots))
                .ViaMaterialized(KillSwitches.Single<List<IQueuedPiece<TItem, TResult>>>(), Keep.Right)
                .Select(SendReserved)
                .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
                .Run(_setup.Materializer)
            : ChannelSource.FromReader(_channel.Reader)
                .ViaMaterialized(KillSwitches.Single<IQueuedPiece<TItem, TResult>>(), Keep.Right)
                .GroupedWeightedWithin(max, _setup.Options.MaxDelay, Weigh)
                .Select(group => group as List<IQueuedPiece<TItem, TResult>> ?? [.. group])
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

    /// <summary>Sends a window's batch; the task completes when the batch is released, freeing the replica's place in the graph.</summary>
    private Task<NotUsed> SendAsync(List<IQueuedPiece<TItem, TResult>> group)
    {
        var parts = Claim(group, out var abandoned);
        var released = new TaskCompletionSource<NotUsed>();
        return Send(parts, abandoned, () => released.TrySetResult(NotUsed.Instance)) ? released.Task : Nothing;
    }

    /// <summary>Sends a batch for which the source reserved a replica slot; the batch frees it when released (or at once when nothing was left to send).</summary>
    private NotUsed SendReserved(List<IQueuedPiece<TItem, TResult>> group)
    {
        var parts = Claim(group, out var abandoned);
        if (!Send(parts, abandoned, _freeReplica))
        {
            _replicaSlots.Free();
        }

        return NotUsed.Instance;
    }

    /// <summary>
    /// Takes <paramref name="group"/>'s pieces out of the queued works: each piece becomes one part. A
    /// piece whose work is no longer queued was answered by FailQueued or a failed graph, which accounted
    /// for its items; it is skipped.
    /// </summary>
    private List<WorkPart<TItem, TResult>> Claim(List<IQueuedPiece<TItem, TResult>> group, out bool abandoned)
    {
        var parts = new List<WorkPart<TItem, TResult>>(group.Count);
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
                    continue;
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

        return parts;
    }

    /// <summary>
    /// Forms the batch from <paramref name="parts"/>: works already answered (timed out, cancelled) are
    /// dropped and accounted for here, and all are failed once abandoned; what is left goes to the
    /// replicas, and <paramref name="onReleased"/> runs when the batch is released. False when nothing was sent.
    /// </summary>
    private bool Send(List<WorkPart<TItem, TResult>> parts, bool abandoned, Action onReleased)
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
            return false;
        }

        parts.RemoveRange(kept, parts.Count - kept);
        var oldest = long.MaxValue;
        foreach (var part in parts)
        {
            oldest = Math.Min(oldest, part.Work.AcceptedAt);
        }

        var time = _setup.TimeProvider;
        var formed = time.GetTimestamp();
        var onDone = _setup.OnDone;
        var batch = new MergedWork<TItem, TResult>(parts, oldest, () =>
        {
            onDone(time.GetElapsedTime(formed));
            onReleased();
        });
        _setup.OnFormed(parts);
        if (_setup.Replicas.Post(batch) != PostResult.Accepted)
        {
            batch.TryBegin();
            batch.Fail(_setup.Stopped());
            batch.Release();
        }

        return true;
    }
}
