using System.Collections.Concurrent;
using ModelActors.Runtime;

namespace ModelActors.Models;

/// <summary>One item from <c>PredictAsync</c>: pooled, so a call through the actors allocates nothing in steady state.</summary>
internal sealed class SingleWork<TItem, TResult> : Promise<TResult>, IModelWork<TItem, TResult>
{
    private readonly Pool _pool;
    private TItem _item = default!;

    private SingleWork(Pool pool)
    {
        _pool = pool;
    }

    public bool IsSingle => true;

    public TItem Item => _item;

    public IReadOnlyList<TItem> Items => [_item];

    public void Complete(TResult result) => TrySetResult(result);

    public void Complete(IReadOnlyList<TResult> results) => TrySetResult(results[0]);

    public void Fail(Exception exception) => TrySetException(exception);

    protected override void OnReleased()
    {
        _item = default!;
        ResetForReuse();
        _pool.Return(this);
    }

    /// <summary>
    /// Reusable single-item work for one model: a one-slot cache per thread (the caller that reads a
    /// result is usually the last to release it, and rents again on the same thread) in front of a
    /// bounded shared queue.
    /// </summary>
    internal sealed class Pool(string target, TimeProvider timeProvider, int maxSize = 256)
    {
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
            work.Arm(target, timeout, timeProvider, cancellationToken, runContinuationsAsynchronously: !blockingCaller);
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
