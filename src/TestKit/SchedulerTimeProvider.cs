using Akka.Actor;

namespace ModelActors.TestKit;

/// <summary>
/// A <see cref="TimeProvider"/> on an Akka scheduler: with Akka.TestKit's <c>TestScheduler</c> one
/// <c>Advance</c> moves the library's request deadlines together with Akka's own timers (load backoff,
/// Akka.Streams windows), so a test drives all of them on one virtual clock.
/// </summary>
/// <remarks>Timers fire on the scheduler's resolution (the test scheduler's exact advances; 10 ms ticks on Akka's default one).</remarks>
public sealed class SchedulerTimeProvider : TimeProvider
{
    private readonly IScheduler _scheduler;

    /// <summary>Creates a clock on <paramref name="scheduler"/>.</summary>
    /// <param name="scheduler">The actor system's scheduler (a <c>TestScheduler</c> in tests).</param>
    public SchedulerTimeProvider(IScheduler scheduler)
    {
        _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _scheduler.Now;

    /// <inheritdoc />
    public override long GetTimestamp() => _scheduler.Now.UtcTicks;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SchedulerTimer(_scheduler, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// A timer as scheduled actions. The test scheduler ignores an action's cancelable, so every
    /// <see cref="Change"/> starts a new generation and an action of an older one does nothing.
    /// </summary>
    private sealed class SchedulerTimer(IScheduler scheduler, TimerCallback callback, object? state) : ITimer
    {
        private readonly Lock _gate = new();
        private long _generation;
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long generation;
            lock (_gate)
            {
                if (_disposed)
                {
                    return false;
                }

                generation = ++_generation;
            }

            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Schedule(generation, dueTime, period);
            }

            return true;
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _generation++;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Schedule(long generation, TimeSpan due, TimeSpan period) =>
            scheduler.Advanced.ScheduleOnce(due < TimeSpan.Zero ? TimeSpan.Zero : due, () =>
            {
                lock (_gate)
                {
                    if (_disposed || generation != _generation)
                    {
                        return;
                    }
                }

                callback(state);
                if (period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero)
                {
                    Schedule(generation, period, period);
                }
            });
    }
}
