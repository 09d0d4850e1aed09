using System.Collections.Concurrent;

namespace ModelActors.Models;

/// <summary>One item from <c>PredictAsync</c>: pooled, so a call through the actors allocates nothing in steady state.</summary>
internal sealed class SingleWork<TItem, TResult> : Promise<TResult>, IModelWork<TItem, TResult>, Batching.IQueuedPiece<TItem, TResult>
{
    private readonly Pool _pool;
    private TItem _item = default!;
    private WorkParts _parts;

    private SingleWork(Pool pool)
    {
        _pool = pool;
    }

    public bool IsSingle => true;

    public TItem Item => _item;

    public IReadOnlyList<TItem> Items => [_item];

    public int Count => 1;

    /// <summary>Single work is its own element in a batching graph.</summary>
    public IModelWork<TItem, TResult> Work => this;

    /// <summary>Its one item's index.</summary>
    public int Offset => 0;

    public long AcceptedAt { get; set; }

    public bool AnswersInline => HasBlockingCaller;

    public void Complete(TResult result) => TrySetResult(result);

    public void Complete(IReadOnlyList<TResult> results) => TrySetResult(results[0]);

    public void SetPart(int offset, IReadOnlyList<TResult> results, int start, int count) => TrySetResult(results[start]);

    public void Fail(Exception exception) => TrySetException(exception);

    public void ItemsDone(int count)
    {
        if (_parts.ItemsDone(count))
        {
            Release();
        }
    }

    public void EnterQueue(IQueueSlots slots) => _parts.Enter(slots, 1);

    public bool TryLeaveQueue() => _parts.TryLeave();

    protected override void OnCompletedEarly(bool timedOut)
    {
        _parts.TryLeave();
        if (timedOut)
        {
            _pool.Events?.TimedOut();
        }
    }

    protected override void OnReleased()
    {
        _item = default!;
        _parts.Reset();
        ResetForReuse();
        _pool.Return(this);
    }

    /// <summary>
    /// Reusable single-item work for one model: a one-slot cache per thread (the caller that reads a
    /// result is usually the last to release it, and rents again on the same thread) in front of a
    /// bounded shared queue.
    /// </summary>
    internal sealed class Pool(string model, TimeProvider timeProvider, Diagnostics.ModelEvents? events = null, int maxSize = 256)
    {
        public Diagnostics.ModelEvents? Events => events;

        [ThreadStatic]
        private static SingleWork<TItem, TResult>? t_cached;

        private readonly ConcurrentQueue<SingleWork<TItem, TResult>> _items = new();
        private int _count;

        public SingleWork<TItem, TResult> Rent(TItem item, TimeSpan timeout, CancellationToken cancellationToken, bool blockingCaller)
        {
            var work = t_cached;
            if (work is not null && ReferenceEquals(work._pool, this))
            {
                t_cached = null;
            }
            else if (_items.TryDequeue(out work))
            {
                Interlocked.Decrement(ref _count);
            }
            else
            {
                work = new SingleWork<TItem, TResult>(this);
            }

            work._item = item;
            work.Arm(model, timeout, timeProvider, cancellationToken, runContinuationsAsynchronously: !blockingCaller);
            return work;
        }

        public void Return(SingleWork<TItem, TResult> work)
        {
            if (t_cached is null)
            {
                t_cached = work;
            }
            else if (Interlocked.Increment(ref _count) <= maxSize)
            {
                _items.Enqueue(work);
            }
            else
            {
                Interlocked.Decrement(ref _count);
                work.DisposeTimer();
            }
        }
    }
}
