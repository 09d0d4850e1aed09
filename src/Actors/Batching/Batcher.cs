using Microsoft.Extensions.Logging;
using ModelActors.Models;

namespace ModelActors.Batching;

/// <summary>
/// Demand-driven GroupedWithin in front of a model's replicas. Requests from any callers wait in one
/// bounded queue; when a replica is free the batcher takes up to <c>MaxBatchSize</c> queued items
/// (splitting a larger chunk), waiting at most <c>MaxDelay</c> from the oldest item's arrival for more,
/// and sends them to the replicas as one <see cref="MergedWork{TItem, TResult}"/>.
/// </summary>
/// <remarks>
/// Emits when a replica is free and either MaxBatchSize items are queued or the oldest queued item has
/// waited MaxDelay (at once when MaxDelay is zero). Never emits an empty batch, never more than
/// MaxBatchSize items. Rejects when QueueCapacity requests are queued. Completes when stopped and
/// every accepted request has been sent. Work whose caller timed out or cancelled is dropped before it
/// reaches the model; its queue slot is released the moment it completes, exactly once.
/// </remarks>
internal sealed partial class Batcher<TItem, TResult> : IQueueSlots
{
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _queue = new();
    private readonly BatchingOptions _options;
    private readonly int _capacity;
    private readonly Actors.IReplicaTarget<TItem, TResult> _replicas;
    private readonly int _replicaCount;
    private readonly TimeProvider _timeProvider;
    private readonly Action<IReadOnlyList<WorkPart<TItem, TResult>>> _onFormed;
    private readonly Action<TimeSpan> _onDone;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _wake;
    private bool _wakeOnAnyArrival;
    private int _inFlight;
    private int _slots;
    private int _queuedItems;
    private bool _stopping;

    public Batcher(
        BatchingOptions options,
        int capacity,
        int replicas,
        Actors.IReplicaTarget<TItem, TResult> replicasRef,
        TimeProvider timeProvider,
        Action<IReadOnlyList<WorkPart<TItem, TResult>>> onFormed,
        Action<TimeSpan> onDone)
    {
        _onDone = onDone;
        _options = options;
        _capacity = capacity;
        _replicas = replicasRef;
        _replicaCount = replicas;
        _timeProvider = timeProvider;
        _onFormed = onFormed;
        _ = Task.Run(RunAsync);
    }

    /// <summary>Requests holding a queue slot.</summary>
    public int QueueDepth => Volatile.Read(ref _slots);

    /// <summary>Completes when the batcher has stopped and sent (or failed) everything it accepted.</summary>
    public Task Drained => _drained.Task;

    public PostResult Enqueue(IModelWork<TItem, TResult> work)
    {
        TaskCompletionSource? arrival;
        lock (_gate)
        {
            if (_stopping)
            {
                return PostResult.Closed;
            }

            if (Interlocked.Increment(ref _slots) > _capacity)
            {
                Interlocked.Decrement(ref _slots);
                return PostResult.Full;
            }

            work.AcceptedAt = _timeProvider.GetTimestamp();
            work.EnterQueue(this);
            _queue.Enqueue(new Entry(work));
            _queuedItems += work.Count;
            arrival = _wakeOnAnyArrival || _queuedItems >= _options.MaxBatchSize ? TakeWake() : null;
        }

        arrival?.TrySetResult();
        return PostResult.Accepted;
    }

    public void ReleaseSlot() => Interlocked.Decrement(ref _slots);

    /// <summary>Refuses new requests; what is queued is still sent, without waiting for MaxDelay.</summary>
    public void Stop()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _stopping = true;
            wake = TakeWake();
        }

        wake?.TrySetResult();
    }

    /// <summary>Fails every request still queued (the drain deadline passed).</summary>
    public void FailQueued(Func<Exception> failure)
    {
        List<(IModelWork<TItem, TResult> Work, int Remaining)> abandoned = [];
        lock (_gate)
        {
            _stopping = true;
            while (_queue.TryDequeue(out var entry))
            {
                abandoned.Add((entry.Work, entry.Work.Count - entry.Offset));
            }

            _queuedItems = 0;
        }

        foreach (var (work, remaining) in abandoned)
        {
            work.TryLeaveQueue();
            work.Fail(failure());
            work.ItemsDone(remaining);
        }
    }

    /// <summary>Takes a batch and counts it in flight; null when only dead work was queued. Called under the lock.</summary>
    private List<WorkPart<TItem, TResult>>? TakeBatch()
    {
        var parts = Take();
        if (parts.Count == 0)
        {
            return null;
        }

        _inFlight++;
        return parts;
    }

    /// <summary>Takes up to MaxBatchSize live items from the head of the queue. Called under the lock.</summary>
    private List<WorkPart<TItem, TResult>> Take()
    {
        var parts = new List<WorkPart<TItem, TResult>>(Math.Min(_options.MaxBatchSize, _queue.Count));
        var taken = 0;
        while (taken < _options.MaxBatchSize && _queue.TryPeek(out var entry))
        {
            var work = entry.Work;
            var remaining = work.Count - entry.Offset;
            if (work.IsCompleted || (entry.Offset == 0 && !work.TryBegin()))
            {
                Drop(entry, remaining);
                continue;
            }

            var take = Math.Min(remaining, _options.MaxBatchSize - taken);
            var last = entry.Offset + take == work.Count;
            parts.Add(new WorkPart<TItem, TResult>(work, entry.Offset, take, last));
            entry.Offset += take;
            taken += take;
            _queuedItems -= take;
            if (last)
            {
                // Its slot is released when a replica starts the batch (MergedWork.TryBegin), or on timeout/cancellation.
                _queue.Dequeue();
            }
        }

        return parts;
    }

    /// <summary>Removes timed-out and cancelled work from the head, so MaxDelay runs from the oldest live item. Called under the lock.</summary>
    private void DropDeadHeads()
    {
        while (_queue.TryPeek(out var entry) && entry.Work.IsCompleted)
        {
            Drop(entry, entry.Work.Count - entry.Offset);
        }
    }

    private void Drop(Entry entry, int remaining)
    {
        _queue.Dequeue();
        _queuedItems -= remaining;
        entry.Work.TryLeaveQueue();
        entry.Work.ItemsDone(remaining);
    }

    private sealed class Entry(IModelWork<TItem, TResult> work)
    {
        public IModelWork<TItem, TResult> Work { get; } = work;

        public int Offset { get; set; }
    }
}
