using System.Threading.Channels;
using Akka.Streams;
using Microsoft.Extensions.Logging;
using ModelActors.Models;

namespace ModelActors.Batching;

/// <summary>
/// Cross-request batching of one model on Akka.Streams: requests from any callers go into one channel,
/// read by a graph that groups their items (when <c>MaxDelay</c> is zero a batch forms whenever a
/// replica is free, from what is queued; otherwise <c>GroupedWithin(MaxBatchSize, MaxDelay)</c>) and
/// sends each group to the replicas as one <see cref="MergedWork{TItem, TResult}"/>, at most one batch
/// per replica at a time (<c>SelectAsyncUnordered</c>).
/// </summary>
/// <remarks>
/// The queue bound is a count of slots, not the channel's: a request holds its slot from
/// <see cref="Enqueue"/> until a replica starts its last items or its caller has an answer (timeout,
/// cancellation, shutdown), exactly once. Work whose caller already has an answer is dropped before it
/// reaches the model. Failures travel as values (each caller's promise), never as a failed stream
/// element. The accepted works not yet formed into batches are also kept here, because the graph's own
/// buffers cannot be read back: <see cref="FailQueued"/> and a failed graph answer them from this list.
/// </remarks>
internal sealed partial class Batcher<TItem, TResult> : IQueueSlots
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IModelWork<TItem, TResult>, int> _queued = new(ReferenceEqualityComparer.Instance);
    private readonly BatcherSetup<TItem, TResult> _setup;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ReplicaSlots _replicaSlots;
    private readonly bool _demandDriven;
    private readonly Action _freeReplica;
    private Channel<IQueuedPiece<TItem, TResult>> _channel;
    private UniqueKillSwitch? _killSwitch;
    private int _generation;
    private int _slots;
    private bool _stopping;
    private bool _abandoned;

    public Batcher(BatcherSetup<TItem, TResult> setup)
    {
        _setup = setup;
        _demandDriven = setup.Options.MaxDelay == TimeSpan.Zero;
        _replicaSlots = new ReplicaSlots(setup.ReplicaCount, setup.Options.MaxBatchSize);
        _freeReplica = _replicaSlots.Free;
        lock (_gate)
        {
            _channel = NewChannel();
            Start();
        }
    }

    /// <summary>Requests holding a queue slot.</summary>
    public int QueueDepth => Volatile.Read(ref _slots);

    /// <summary>Completes when the batcher has stopped and its graph has finished: every accepted request was sent and answered, or failed.</summary>
    public Task Drained => _drained.Task;

    /// <summary>
    /// Test seam: called as each piece of work (a single request is one; with MaxDelay zero, as each
    /// request is queued) enters the batch it will be formed into. With a window it is called on the
    /// graph's actor, and the window's timer reaches that actor after the piece it is handling, so a test
    /// that waits for this before moving virtual time closes a window that holds the piece.
    /// </summary>
    internal Action? PieceGrouped { get; set; }

    /// <summary>Queues <paramref name="work"/>: Full when QueueCapacity requests hold slots, Closed once stopping.</summary>
    public PostResult Enqueue(IModelWork<TItem, TResult> work)
    {
        var result = Admit(work, out var straight, out var fullBatchQueued);
        if (fullBatchQueued)
        {
            _replicaSlots.Wake();
        }

        if (result == PostResult.Accepted && _demandDriven)
        {
            // With MaxDelay zero the next batch is read straight from the channel: queued is grouped.
            PieceGrouped?.Invoke();
        }

        if (straight && !Send([new WorkPart<TItem, TResult>(work, 0, work.Count, Last: true)], abandoned: false, _freeReplica))
        {
            _replicaSlots.Free();
        }

        return result;
    }

    /// <summary>
    /// Admits <paramref name="work"/> under the lock. With MaxDelay zero, nothing queued and a replica
    /// free, the work takes that replica's slot and goes straight to it (<paramref name="straight"/>),
    /// without waking the graph: a lone request costs what it costs with batching off.
    /// </summary>
    private PostResult Admit(IModelWork<TItem, TResult> work, out bool straight, out bool fullBatchQueued)
    {
        straight = false;
        fullBatchQueued = false;
        lock (_gate)
        {
            if (_stopping)
            {
                return PostResult.Closed;
            }

            if (Interlocked.Increment(ref _slots) > _setup.Capacity)
            {
                Interlocked.Decrement(ref _slots);
                return PostResult.Full;
            }

            work.AcceptedAt = _setup.TimeProvider.GetTimestamp();
            work.EnterQueue(this);
            if (_demandDriven && _queued.Count == 0 && work.Count <= _setup.Options.MaxBatchSize && _replicaSlots.TryReserve())
            {
                straight = true;
                return PostResult.Accepted;
            }

            _queued.Add(work, work.Count);
            var writer = _channel.Writer;
            if (work is IQueuedPiece<TItem, TResult> self && ReferenceEquals(self.Work, work))
            {
                writer.TryWrite(self);
            }
            else
            {
                // A chunk goes in pieces of at most MaxBatchSize, each kept whole in one batch.
                var max = _setup.Options.MaxBatchSize;
                for (var offset = 0; offset < work.Count; offset += max)
                {
                    writer.TryWrite(new ChunkPiece<TItem, TResult>(work, offset, Math.Min(max, work.Count - offset)));
                }
            }

            // Counted once its pieces are in the channel: the graph forms a batch ahead when it sees a full batch
            // counted, and counted first, a batch ahead could miss the last piece (one of 32 alone, seen in a test).
            fullBatchQueued = _demandDriven && _replicaSlots.Enqueued(work.Count);
        }

        return PostResult.Accepted;
    }

    public void ReleaseSlot() => Interlocked.Decrement(ref _slots);

    /// <summary>Refuses new requests and completes the graph's source: what is queued is still sent, without waiting for MaxDelay.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            _channel.Writer.TryComplete();
        }
    }

    /// <summary>Fails every request not yet sent to a replica (the drain deadline passed) and tears the graph down.</summary>
    public void FailQueued(Func<Exception> failure)
    {
        List<KeyValuePair<IModelWork<TItem, TResult>, int>> abandoned;
        UniqueKillSwitch? killSwitch;
        lock (_gate)
        {
            _stopping = true;
            _abandoned = true;
            _channel.Writer.TryComplete();
            abandoned = TakeQueued();
            killSwitch = _killSwitch;
        }

        FailAll(abandoned, failure);
        killSwitch?.Abort(new OperationCanceledException("The model stopped before its queued requests were sent."));
    }

    /// <summary>Test seam: fails the running graph as an internal error would, to exercise the restart.</summary>
    internal void BreakGraph(Exception error)
    {
        UniqueKillSwitch? killSwitch;
        lock (_gate)
        {
            killSwitch = _killSwitch;
        }

        killSwitch?.Abort(error);
    }

    /// <summary>
    /// The graph of <paramref name="generation"/> finished. Once stopping, that is the drain. Otherwise the
    /// graph failed: what it held is answered with the error and a new graph takes the requests from now on.
    /// </summary>
    private void GraphFinished(Task finished, int generation)
    {
        List<KeyValuePair<IModelWork<TItem, TResult>, int>> orphans;
        Exception error = finished.Exception?.GetBaseException() ?? new InvalidOperationException("The batching graph completed before it was stopped.");
        var restarted = true;
        lock (_gate)
        {
            if (generation != _generation)
            {
                return;
            }

            if (_stopping)
            {
                _drained.TrySetResult();
                return;
            }

            orphans = TakeQueued();
            _channel = NewChannel();
            _replicaSlots.ClearQueued();
            try
            {
                Start();
            }
            catch (Exception startError)
            {
                // The materializer is gone (the actor system is terminating): refuse from now on.
                restarted = false;
                _stopping = true;
                error = startError;
            }
        }

        BatchingLog.GraphFailed(_setup.Logger, _setup.ModelName, restarted, error);
        FailAll(orphans, () => ModelErrors.Attach(
            new InvalidOperationException($"Model '{_setup.ModelName}': its batching stage failed before the request reached the model ({error.Message}).", error),
            _setup.ModelName));
        if (!restarted)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Takes every queued work with the count of its items not yet in a batch. Called under the lock.</summary>
    private List<KeyValuePair<IModelWork<TItem, TResult>, int>> TakeQueued()
    {
        var taken = new List<KeyValuePair<IModelWork<TItem, TResult>, int>>(_queued);
        _queued.Clear();
        return taken;
    }

    private static void FailAll(List<KeyValuePair<IModelWork<TItem, TResult>, int>> works, Func<Exception> failure)
    {
        foreach (var (work, remaining) in works)
        {
            work.TryLeaveQueue();
            work.Fail(failure());
            work.ItemsDone(remaining);
        }
    }

    /// <summary>
    /// The queue the graph reads. Synchronous continuations let the write that ends an idle wait hand
    /// the graph its wake-up on the writer's thread (an Akka async-callback message: no user code), one
    /// thread-pool hop less for a lone request.
    /// </summary>
    private static Channel<IQueuedPiece<TItem, TResult>> NewChannel() =>
        Channel.CreateUnbounded<IQueuedPiece<TItem, TResult>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = true });
}
