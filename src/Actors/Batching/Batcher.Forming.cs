using ModelActors.Models;

namespace ModelActors.Batching;

/// <summary>The batcher's forming side: the loop that decides when a batch goes, sending it, and what a finished batch sets off.</summary>
internal sealed partial class Batcher<TItem, TResult>
{
    private async Task RunAsync()
    {
        try
        {
            while (await NextBatchAsync().ConfigureAwait(false) is { } parts)
            {
                Send(parts);
            }
        }
        finally
        {
            _drained.TrySetResult();
        }
    }

    private void Send(List<WorkPart<TItem, TResult>> parts)
    {
        var oldest = long.MaxValue;
        foreach (var part in parts)
        {
            oldest = Math.Min(oldest, part.Work.AcceptedAt);
        }

        var formed = _timeProvider.GetTimestamp();
        var batch = new MergedWork<TItem, TResult>(parts, oldest, () =>
        {
            _onDone(_timeProvider.GetElapsedTime(formed));
            BatchFinished();
        });
        _onFormed(parts);
        if (_replicas.Post(batch) != PostResult.Accepted)
        {
            batch.TryBegin();
            batch.Fail(new InvalidOperationException("The model's replicas stopped before the batch could be sent."));
            batch.Release();
        }
    }

    /// <summary>
    /// A batch was released (its callers answered). When no batch formed ahead waits for the free replica
    /// and a full batch is queued, it is formed and sent right here, so the replica does not wait for the
    /// batching loop to be scheduled; the loop is woken in any case to decide what comes next.
    /// </summary>
    private void BatchFinished()
    {
        TaskCompletionSource? wake;
        List<WorkPart<TItem, TResult>>? next = null;
        lock (_gate)
        {
            _inFlight--;
            DropDeadHeads();
            if (!_stopping && _inFlight < _replicaCount && _queuedItems >= _options.MaxBatchSize)
            {
                next = TakeBatch();
            }

            wake = TakeWake();
        }

        if (next is not null)
        {
            Send(next);
        }

        wake?.TrySetResult();
    }

    /// <summary>When the batch holding <paramref name="oldest"/> is due (its arrival plus MaxDelay).</summary>
    private long DueAt(IModelWork<TItem, TResult> oldest) =>
        oldest.AcceptedAt + (long)(_options.MaxDelay.TotalSeconds * _timeProvider.TimestampFrequency);

    /// <summary>
    /// The next batch, or null once stopped and empty. With a replica free: GroupedWithin (full batch at
    /// once, else wait up to MaxDelay from the oldest item). With every replica busy: only a full batch, at
    /// most one ahead, so the replica that frees up next finds it ready instead of waiting for it to form.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<List<WorkPart<TItem, TResult>>?> NextBatchAsync()
    {
        while (true)
        {
            Task wait;
            CancellationTokenSource? timer = null;
            lock (_gate)
            {
                DropDeadHeads();
                var replicaFree = _inFlight < _replicaCount;
                if (_queue.Count == 0)
                {
                    if (_stopping)
                    {
                        return null;
                    }

                    wait = NewWake(anyArrival: replicaFree);
                }
                else if (!replicaFree)
                {
                    if (_inFlight < _replicaCount + 1 && _queuedItems >= _options.MaxBatchSize && TakeBatch() is { } ahead)
                    {
                        return ahead;
                    }

                    wait = NewWake(anyArrival: false);
                }
                else
                {
                    var due = DueAt(_queue.Peek().Work);
                    var now = _timeProvider.GetTimestamp();
                    if (_queuedItems >= _options.MaxBatchSize || _stopping || now >= due)
                    {
                        if (TakeBatch() is { } parts)
                        {
                            return parts;
                        }

                        continue;
                    }

                    wait = NewWake(anyArrival: true);
                    timer = new CancellationTokenSource();
                    var delay = TimeSpan.FromSeconds((double)(due - now) / _timeProvider.TimestampFrequency);
                    wait = Task.WhenAny(wait, Task.Delay(delay, _timeProvider, timer.Token));
                }
            }

            await wait.ConfigureAwait(false);
            if (timer is not null)
            {
                await timer.CancelAsync().ConfigureAwait(false);
                timer.Dispose();
            }
        }
    }

    /// <summary>Arms the loop's wake-up: on any arrival, or only when a full batch is queued; always on a finished batch or stop. Called under the lock.</summary>
    private Task NewWake(bool anyArrival)
    {
        _wakeOnAnyArrival = anyArrival;
        _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _wake.Task;
    }

    /// <summary>Takes the armed wake-up, if any. Called under the lock.</summary>
    private TaskCompletionSource? TakeWake()
    {
        var wake = _wake;
        _wake = null;
        return wake;
    }
}
