namespace ModelActors.TestKit;

/// <summary>
/// A clock that moves only when the test says so: <see cref="Advance"/> fires every timer that falls
/// due, in due order, on the calling thread. Timeouts, batching windows and backoff become
/// deterministic, with no sleeping.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(int Count, TaskCompletionSource Armed)> _waiters = [];
    private DateTimeOffset _now;
    private long _ticks;

    /// <summary>Creates a clock that starts at <paramref name="start"/> (by default 2026-01-01 UTC).</summary>
    /// <param name="start">The initial time.</param>
    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    /// <summary>Timers armed and not yet fired (periodic ones count while armed).</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    /// <summary>
    /// Completes when at least <paramref name="count"/> timers are armed: await it before
    /// <see cref="Advance"/> when the code under test arms its timer on another thread.
    /// </summary>
    /// <param name="count">The number of armed timers to wait for.</param>
    /// <param name="timeout">A safety net so a broken test fails instead of hanging (default 10 s of real time).</param>
    /// <returns>A task that completes when the timers are armed.</returns>
    public Task WaitForTimersAsync(int count = 1, TimeSpan? timeout = null)
    {
        TaskCompletionSource armed;
        lock (_gate)
        {
            if (_timers.Count(t => t.Due is not null) >= count)
            {
                return Task.CompletedTask;
            }

            armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, armed));
        }

        return armed.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing due timers in order.</summary>
    /// <param name="delta">A non-negative amount of time.</param>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long target;
        lock (_gate)
        {
            target = _ticks + delta.Ticks;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= target).OrderBy(t => t.Due).FirstOrDefault();
                if (next is null)
                {
                    _now += TimeSpan.FromTicks(target - _ticks);
                    _ticks = target;
                    return;
                }

                var due = next.Due!.Value;
                _now += TimeSpan.FromTicks(due - _ticks);
                _ticks = due;
                next.Due = next.Period is { } period && period > 0 ? due + period : null;
            }

            // User code runs outside the lock.
            next.Callback(next.State);
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    private List<TaskCompletionSource> TakeMetWaiters()
    {
        var armed = _timers.Count(t => t.Due is not null);
        var met = _waiters.Where(w => armed >= w.Count).Select(w => w.Armed).ToList();
        _waiters.RemoveAll(w => armed >= w.Count);
        return met;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public long? Due { get; set; }

        public long? Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            List<TaskCompletionSource> met;
            lock (owner._gate)
            {
                if (!owner._timers.Contains(this))
                {
                    return false;
                }

                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + Math.Max(0, dueTime.Ticks);
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period.Ticks;
                met = owner.TakeMetWaiters();
            }

            foreach (var waiter in met)
            {
                waiter.TrySetResult();
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
