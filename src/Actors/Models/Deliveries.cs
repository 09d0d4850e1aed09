using ModelActors.Batching;

namespace ModelActors.Models;

/// <summary>
/// Answers the callers of a merged batch on the thread pool, so that the replica that computed it takes
/// its next batch at once: completing many callers (and, for models that return results lazily, splitting
/// them) stays off the model's own thread. Counts what is pending, so a replica stops only after every
/// batch it computed has been answered.
/// </summary>
internal sealed class Deliveries(string model)
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // One for the replica itself (given up by WhenIdleAsync), one per delivery pending.
    private int _pending = 1;

    /// <summary>Answers <paramref name="batch"/>'s callers with <paramref name="results"/> on the thread pool, then releases the batch.</summary>
    public void Deliver<TItem, TResult>(MergedWork<TItem, TResult> batch, IReadOnlyList<TResult> results)
    {
        Interlocked.Increment(ref _pending);
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Self.Run(s.Batch, s.Results), (Self: this, Batch: batch, Results: results), preferLocal: false);
    }

    /// <summary>Completes when every delivery has run. Called once, when the replica stops.</summary>
    public Task WhenIdleAsync()
    {
        Done();
        return _idle.Task;
    }

    private void Run<TItem, TResult>(MergedWork<TItem, TResult> batch, IReadOnlyList<TResult> results)
    {
        try
        {
            batch.CompleteEachPart(results, model);
        }
        finally
        {
            // The batch is released (the replica counted free) from the shared queue, behind the answered
            // callers' continuations (queued locally to this thread): callers that send again at once
            // (a closed loop, a bounded stream) are back in the queue when the next batch forms, so it is
            // full rather than a fraction of them.
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Self.Released(s.Batch), (Self: this, Batch: batch), preferLocal: false);
        }
    }

    private void Released<TItem, TResult>(MergedWork<TItem, TResult> batch)
    {
        try
        {
            batch.Release();
        }
        finally
        {
            Done();
        }
    }

    private void Done()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _idle.TrySetResult();
        }
    }
}
