using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ModelActors.Diagnostics;

namespace ModelActors.Host.Statistics;

/// <summary>
/// Triton's statistics extension, from the measurements <c>/metrics</c> exports: a <see cref="MeterListener"/> on the
/// ModelActors meter adds up, per model, its successful executions (<c>modelactors.compute.duration</c> and
/// <c>modelactors.batch.size</c>, recorded together for each successful model call), the time its requests queued
/// (<c>modelactors.queue.duration</c>) and its failed, refused and timed-out requests. Ours because OpenTelemetry
/// keeps its aggregates for its exporters only; reading the meter again is how a second consumer gets them.
/// </summary>
public sealed class ModelStatistics : IDisposable
{
    // Keyed by the measurements' model and version tags: a repository model's generations report as the model and version
    // clients know (TelemetryName, TelemetryTags), so its statistics go on across a reload, and the map holds one entry per
    // version served, however often it is replaced.
    private readonly ConcurrentDictionary<(string Model, string Version), Totals> _models = new();
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _clock;

    // The compute duration of the call whose batch size comes next on this thread (ModelEvents records the two in a row).
    [ThreadStatic]
    private static double t_lastComputeMs;

    /// <summary>Starts listening to the ModelActors meter.</summary>
    /// <param name="clock">The clock <c>last_inference</c> is read from.</param>
    public ModelStatistics(TimeProvider clock)
    {
        _clock = clock;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ModelActorsTelemetry.MeterName && instrument.Name is "modelactors.compute.duration" or "modelactors.batch.size"
                or "modelactors.queue.duration" or "modelactors.failures" or "modelactors.rejections" or "modelactors.timeouts")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.SetMeasurementEventCallback<int>(OnInt);
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.Start();
    }

    /// <summary>The statistics of <paramref name="model"/>'s <paramref name="version"/> so far; zeros when it has not been called.</summary>
    /// <param name="model">The model's name as its metrics report it (a repository model's own name, else the library's).</param>
    /// <param name="version">Its version, or "" for a model without versions.</param>
    /// <returns>A copy.</returns>
    public StatisticsSnapshot Of(string model, string version) => _models.TryGetValue((model, version), out var totals) ? totals.Snapshot() : StatisticsSnapshot.Empty;

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private static (string Model, string Version)? ModelOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? model = null;
        var version = string.Empty;
        foreach (var tag in tags)
        {
            if (tag.Key == "model")
            {
                model = tag.Value as string;
            }
            else if (tag.Key == "version" && tag.Value is string v)
            {
                version = v;
            }
        }

        return model is null ? null : (model, version);
    }

    private Totals For((string Model, string Version) model) => _models.GetOrAdd(model, static _ => new Totals());

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == "modelactors.compute.duration")
        {
            t_lastComputeMs = value;
        }
        else if (ModelOf(tags) is { } model)
        {
            For(model).Queued(value);
        }
    }

    private void OnInt(Instrument instrument, int value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (ModelOf(tags) is { } model)
        {
            For(model).Executed(value, t_lastComputeMs, _clock.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (ModelOf(tags) is { } model)
        {
            For(model).Failed(value);
        }
    }

    /// <summary>One model's running totals; written under its own lock (measurements of one model come from its replicas' threads).</summary>
    private sealed class Totals
    {
        private readonly object _gate = new();
        private readonly SortedDictionary<int, (long Count, long Ns)> _batches = [];
        private long _executions;
        private long _inferences;
        private long _computeNs;
        private long _queueCount;
        private long _queueNs;
        private long _failures;
        private long _lastInference;

        public void Executed(int batchSize, double computeMs, long nowMs)
        {
            var ns = (long)(computeMs * 1_000_000);
            lock (_gate)
            {
                _executions++;
                _inferences += batchSize;
                _computeNs += ns * batchSize; // as Triton: each request of a batch spent the batch's time
                _batches[batchSize] = _batches.TryGetValue(batchSize, out var b) ? (b.Count + 1, b.Ns + ns) : (1, ns);
                _lastInference = nowMs;
            }
        }

        public void Queued(double ms)
        {
            lock (_gate)
            {
                _queueCount++;
                _queueNs += (long)(ms * 1_000_000);
            }
        }

        public void Failed(long count)
        {
            lock (_gate)
            {
                _failures += count;
            }
        }

        public StatisticsSnapshot Snapshot()
        {
            lock (_gate)
            {
                return new StatisticsSnapshot(_lastInference, _inferences, _executions, _computeNs, _queueCount, _queueNs, _failures,
                    [.. _batches.Select(b => new BatchStatistics(b.Key, b.Value.Count, b.Value.Ns))]);
            }
        }
    }
}

/// <summary>One model's statistics at one moment.</summary>
/// <param name="LastInference">When its last successful execution ended, in milliseconds since the Unix epoch; 0 if never.</param>
/// <param name="InferenceCount">Requests (items) its successful executions answered.</param>
/// <param name="ExecutionCount">Successful executions (model calls; one per batch).</param>
/// <param name="ComputeNs">Each answered request's execution time, added up.</param>
/// <param name="QueueCount">Requests that left the queue for a replica.</param>
/// <param name="QueueNs">Their time in the queue, added up.</param>
/// <param name="FailCount">Requests that failed, were refused (queue full) or timed out.</param>
/// <param name="Batches">Successful executions by batch size.</param>
public sealed record StatisticsSnapshot(long LastInference, long InferenceCount, long ExecutionCount, long ComputeNs, long QueueCount, long QueueNs, long FailCount, IReadOnlyList<BatchStatistics> Batches)
{
    /// <summary>No calls yet.</summary>
    public static readonly StatisticsSnapshot Empty = new(0, 0, 0, 0, 0, 0, 0, []);
}

/// <summary>Successful executions of one batch size.</summary>
/// <param name="BatchSize">The requests in each.</param>
/// <param name="Count">How many.</param>
/// <param name="ComputeNs">Their execution time, added up.</param>
public sealed record BatchStatistics(int BatchSize, long Count, long ComputeNs);
