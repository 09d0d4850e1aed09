using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ModelActors.Diagnostics;

/// <summary>What happens to one model's requests, recorded as metrics, spans and logs.</summary>
/// <param name="model">The model's name, for logs.</param>
/// <param name="tags">The tags of its metrics and spans, <c>model</c> first.</param>
/// <param name="metrics">The library's meter.</param>
/// <param name="logger">The model's logger.</param>
/// <param name="timeProvider">The library's clock.</param>
internal sealed partial class ModelEvents(string model, KeyValuePair<string, object?>[] tags, ModelMetrics metrics, ILogger logger, TimeProvider timeProvider)
{
    private readonly KeyValuePair<string, object?>[] _tags = tags;
    private long _recentCallTicks;
    private long _rejectedUnlogged;
    private long _taken;
    private long _rateSampledAt = long.MinValue; // a clock may start at 0
    private long _rateSampledTaken;
    private long _takenPerSecondBits;
    private int _depthAtSample;
    private long _lastRejectionLog = long.MinValue;
    private int _rejectionTailArmed;
    private (int Capacity, string? Reason) _lastRejection;

    public ModelMetrics Metrics => metrics;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Request()
    {
        if (metrics.Requests.Enabled)
        {
            metrics.Requests.Add(1, _tags);
        }
    }

    /// <summary>
    /// A request refused because the queue is full: counted every time, logged at most once a second with how many
    /// were refused since the last line (under overload a line per refusal would make logging the bottleneck: the
    /// console logger's queue blocks its callers when full). Refusals within a second of the last line are logged
    /// when that second ends, by a one-shot timer, so the end of a burst is not left unlogged until the next refusal.
    /// </summary>
    /// <param name="capacity">The queue's capacity.</param>
    /// <param name="reason">Why, for the log line; null: the queue is full.</param>
    public void Rejected(int capacity, string? reason = null)
    {
        metrics.Rejections.Add(1, _tags);
        Interlocked.Increment(ref _rejectedUnlogged);
        var now = timeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _lastRejectionLog);
        if ((last == long.MinValue || timeProvider.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(1))
            && Interlocked.CompareExchange(ref _lastRejectionLog, now, last) == last)
        {
            LogRejected(logger, model, Interlocked.Exchange(ref _rejectedUnlogged, 0), Why(capacity, reason));
            return;
        }

        _lastRejection = (capacity, reason); // worded only when logged: refusals under overload come by the thousand a second
        if (Interlocked.CompareExchange(ref _rejectionTailArmed, 1, 0) == 0)
        {
            var due = TimeSpan.FromSeconds(1) - timeProvider.GetElapsedTime(Interlocked.Read(ref _lastRejectionLog), now);
            ITimer? timer = null;
            timer = timeProvider.CreateTimer(_ => LogRejectionTail(timer), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Logs the refusals not logged yet (the end of a burst), at most once a second as <see cref="Rejected"/> does.</summary>
    private void LogRejectionTail(ITimer? timer)
    {
        timer?.Dispose();
        Volatile.Write(ref _rejectionTailArmed, 0);
        var count = Interlocked.Exchange(ref _rejectedUnlogged, 0);
        if (count > 0)
        {
            Interlocked.Exchange(ref _lastRejectionLog, timeProvider.GetTimestamp());
            var (capacity, reason) = _lastRejection;
            LogRejected(logger, model, count, Why(capacity, reason));
        }
    }

    private static string Why(int capacity, string? reason) => reason ?? $"its queue of {capacity} is full";

    public void TimedOut()
    {
        metrics.Timeouts.Add(1, _tags);
        LogTimedOut(logger, model);
    }

    public void Failed()
    {
        if (metrics.Failures.Enabled)
        {
            metrics.Failures.Add(1, _tags);
        }
    }

    public void IsolatedFailure(int index, int batchSize, Exception exception)
    {
        metrics.Failures.Add(1, _tags);
        LogIsolatedFailure(logger, model, index, batchSize, exception);
    }

    public void FellBack(string fallback, Exception exception)
    {
        metrics.Fallbacks.Add(1, _tags);
        LogFellBack(logger, model, fallback, exception.GetType().Name, exception);
    }

    /// <summary>Records the time a request waited, from <paramref name="acceptedAt"/> to now (only when someone listens).</summary>
    public void Dequeued(long acceptedAt, int batchSize)
    {
        if (acceptedAt == 0)
        {
            return;
        }

        if (metrics.QueueDuration.Enabled)
        {
            metrics.QueueDuration.Record(timeProvider.GetElapsedTime(acceptedAt).TotalMilliseconds, _tags);
        }

        if (ModelMetrics.Activities.HasListeners())
        {
            var started = timeProvider.GetUtcNow() - timeProvider.GetElapsedTime(acceptedAt);
            using var span = ModelMetrics.Activities.StartActivity("modelactors.queue", ActivityKind.Internal, default(ActivityContext), startTime: started);
            SetTags(span, batchSize);
        }
    }

    /// <summary>A moving average of the time of one model call (for retry-after hints); zero before the first call.</summary>
    public TimeSpan RecentCallTime => TimeSpan.FromTicks(Volatile.Read(ref _recentCallTicks));

    /// <summary><paramref name="requests"/> queued requests left the queue for a replica (run or skipped as dead).</summary>
    public void Taken(int requests) => Interlocked.Add(ref _taken, requests);

    /// <summary>
    /// A moving average of how many requests leave the queue per second while the model is busy, sampled at most every
    /// 250 ms (weight 1/4) over periods that start and end with a queue (<paramref name="depth"/> > 0): only then does the
    /// rate at which work leaves measure what the model can serve, not what callers happened to send. Zero until such a
    /// period was seen. With the queue depth it estimates the wait of a request queued now (Little's law).
    /// </summary>
    /// <param name="depth">The queue depth now.</param>
    public double TakenPerSecond(int depth)
    {
        var now = timeProvider.GetTimestamp();
        var at = Interlocked.Read(ref _rateSampledAt);
        if (at == long.MinValue)
        {
            if (Interlocked.CompareExchange(ref _rateSampledAt, now, long.MinValue) == long.MinValue)
            {
                Interlocked.Exchange(ref _rateSampledTaken, Interlocked.Read(ref _taken));
                Volatile.Write(ref _depthAtSample, depth);
            }
        }
        else if (timeProvider.GetElapsedTime(at, now) is var elapsed && elapsed >= TimeSpan.FromMilliseconds(250)
            && Interlocked.CompareExchange(ref _rateSampledAt, now, at) == at)
        {
            var taken = Interlocked.Read(ref _taken);
            var rate = (taken - Interlocked.Exchange(ref _rateSampledTaken, taken)) / elapsed.TotalSeconds;

            // Only a short period that starts and ends with a queue says what the model can serve: over a longer one
            // the queue may have emptied in between, and idle time would pass for slow service.
            if (Interlocked.Exchange(ref _depthAtSample, depth) > 0 && depth > 0 && elapsed <= TimeSpan.FromSeconds(1))
            {
                var previous = BitConverter.Int64BitsToDouble(Interlocked.Read(ref _takenPerSecondBits));
                Interlocked.Exchange(ref _takenPerSecondBits, BitConverter.DoubleToInt64Bits(previous == 0 ? rate : previous + ((rate - previous) / 4)));
            }
        }

        return BitConverter.Int64BitsToDouble(Interlocked.Read(ref _takenPerSecondBits));
    }

    /// <summary>Folds one call's duration into <see cref="RecentCallTime"/> (weight 1/8).</summary>
    public void CallTook(TimeSpan duration)
    {
        var previous = Volatile.Read(ref _recentCallTicks);
        var next = previous == 0 ? duration.Ticks : previous + ((duration.Ticks - previous) / 8);
        Volatile.Write(ref _recentCallTicks, next);
    }

    /// <summary>True when accepted-at timestamps are worth taking (someone listens to queue time).</summary>
    public bool TracksQueueTime
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => metrics.QueueDuration.Enabled || ModelMetrics.Activities.HasListeners();
    }

    /// <summary>Starts timing one model call; dispose the result when the call succeeds, call <see cref="ComputeScope.Failed"/> when it fails.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public ComputeScope Compute(int batchSize) =>
        metrics.ComputeDuration.Enabled || metrics.BatchSize.Enabled || ModelMetrics.Activities.HasListeners() ? new(this, batchSize) : default;

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Model '{Model}' rejected {Count} request(s) since its last such warning: {Reason}")]
    private static partial void LogRejected(ILogger logger, string model, long count, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Model '{Model}': a request timed out")]
    private static partial void LogTimedOut(ILogger logger, string model);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Model '{Model}': item {Index} of a merged batch of {BatchSize} failed on its own; the other items were answered")]
    private static partial void LogIsolatedFailure(ILogger logger, string model, int index, int batchSize, Exception exception);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Model '{Model}' failed ({Reason}); answered by fallback '{Fallback}'")]
    private static partial void LogFellBack(ILogger logger, string model, string fallback, string reason, Exception exception);

    /// <summary>Times one model call: compute duration, batch size and a compute span.</summary>
    internal readonly struct ComputeScope : IDisposable
    {
        private readonly ModelEvents? _events;
        private readonly long _started;
        private readonly int _batchSize;
        private readonly Activity? _span;

        public ComputeScope(ModelEvents events, int batchSize)
        {
            _events = events;
            _batchSize = batchSize;
            _started = events.Clock.GetTimestamp();
            _span = ModelMetrics.Activities.StartActivity("modelactors.compute");
            events.SetTags(_span, batchSize);
        }

        /// <summary>The call succeeded: its duration and batch size are recorded (as Triton's statistics, only successful executions count).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Dispose()
        {
            if (_events is not null)
            {
                Record();
            }
        }

        /// <summary>The call failed: its span ends marked as an error, and nothing is recorded (its requests count as failures).</summary>
        public void Failed()
        {
            _span?.SetStatus(ActivityStatusCode.Error);
            _span?.Dispose();
        }

        private void Record()
        {
            if (_events is null)
            {
                return;
            }

            var metrics = _events.Metrics;
            metrics.ComputeDuration.Record(_events.Clock.GetElapsedTime(_started).TotalMilliseconds, _events._tags);
            metrics.BatchSize.Record(_batchSize, _events._tags);
            _span?.Dispose();
        }
    }

    private void SetTags(Activity? span, int batchSize)
    {
        if (span is null)
        {
            return;
        }

        foreach (var (key, value) in _tags)
        {
            span.SetTag(key, value);
        }

        span.SetTag("batch.size", batchSize);
    }

    internal TimeProvider Clock => timeProvider;
}
