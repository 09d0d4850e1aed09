using ModelActors.Tests.Batching;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ModelActors.TestKit;

namespace ModelActors.Tests.Diagnostics;

public sealed class MetricsTests
{
    [Fact]
    public async Task TheMeter_RecordsRequestsFailuresRejectionsTimeoutsAndBatchSizes_PerModel()
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            if (items.Contains(0))
            {
                await gate.Task;
            }

            return items.Contains(13) ? throw new ModelFailure("13") : [.. items];
        });
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("metered", o => { o.MaxBatchSize = 4; o.QueueCapacity = 4; o.Timeout = TimeSpan.FromSeconds(5); }, _ => probe)
            .UseTimeProvider(clock)
            .Build();
        using var recorder = new MetricRecorder(library);
        await library.LoadAsync();
        var client = library.Get<int, int>("metered");

        var held = client.PredictAsync(0).AsTask();
        await probe.ExpectBatchesAsync(1);
        var queued = new[] { 1, 2, 13, 4 }.Select(i => client.PredictAsync(i).AsTask()).ToList();
        await Assert.ThrowsAsync<ModelOverloadedException>(() => client.PredictAsync(5).AsTask());
        recorder.Observe();
        Assert.Equal(4, recorder.Last("modelactors.queue.depth"));
        Assert.Equal(1, recorder.Last("modelactors.replicas.busy"));

        clock.Advance(TimeSpan.FromSeconds(5)); // the held request times out (its queue-mates' deadlines too)
        await Assert.ThrowsAsync<TimeoutException>(() => held);
        gate.SetResult();
        foreach (var call in queued)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => call);
        }

        Assert.Equal(6, recorder.Sum("modelactors.requests"));
        Assert.Equal(1, recorder.Sum("modelactors.rejections"));
        Assert.Equal(5, recorder.Sum("modelactors.timeouts"));
        // The held call finishes after its gate opens, on its replica's dispatcher: its batch size is recorded then.
        await recorder.RecordedAsync("modelactors.batch.size", 1).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(1, recorder.Values("modelactors.batch.size"));
        Assert.All(recorder.Tags, t => Assert.Equal("metered", t));
    }

    [Fact]
    public async Task IsolatedFailures_AreCounted_AndOnlySuccessfulCalls_RecordTheirTimeAndBatchSize()
    {
        var gate = new TaskCompletionSource();
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            if (items.Contains(-1))
            {
                await gate.Task;
            }

            return items.Contains(3) ? throw new ModelFailure("3") : [.. items];
        });
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("m", o => { o.MaxBatchSize = 8; }, _ => probe)
            .Build();
        using var recorder = new MetricRecorder(library);
        var client = library.Get<int, int>("m");
        var holder = client.PredictAsync(-1).AsTask();
        await probe.ExpectBatchesAsync(1);
        var grouped = library.PiecesGroupedAsync("m", 8);
        var calls = Enumerable.Range(0, 8).Select(i => client.PredictAsync(i).AsTask()).ToList();
        await grouped;
        gate.SetResult();
        await holder;
        await Assert.ThrowsAsync<ModelFailure>(() => calls[3]);

        // The merged batch of 8 failed (not recorded) and was retried item by item: 7 succeeded, 1 failed on its own.
        Assert.Equal(1, recorder.Sum("modelactors.failures"));
        Assert.Equal(Enumerable.Repeat(1, 8), recorder.Values("modelactors.batch.size").Select(v => (int)v));
        Assert.Equal(8, recorder.Values("modelactors.compute.duration").Count); // the holder and the 7 successes
        Assert.Equal(9, recorder.Values("modelactors.queue.duration").Count);
    }

    [Fact]
    public async Task TheActivitySource_EmitsQueueAndComputeSpans_WithModelAndBatchSize()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "ModelActors",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var probe = new ProbeModel<int, int>(i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("traced", factory: _ => probe).Build();

        await library.Get<int, int>("traced").PredictBatchAsync([1, 2, 3]);

        var mine = spans.Where(s => (string?)s.GetTagItem("model") == "traced").ToList();
        Assert.Contains(mine, s => s.OperationName == "modelactors.compute" && (int?)s.GetTagItem("batch.size") == 3);
        Assert.Contains(mine, s => s.OperationName == "modelactors.queue");
    }

    [Fact]
    public async Task ModelsGivenOneTelemetryName_ReportAsOne_WithTheirTags_TheirGaugesAddedUp()
    {
        var gate = new TaskCompletionSource();
        ProbeModel<int, int> Held() => new(async (items, _) =>
        {
            await gate.Task;
            return [.. items];
        });
        var (old, replacement) = (Held(), Held());
        static void AsScorer3(ModelOptions o)
        {
            o.TelemetryName = "scorer";
            o.TelemetryTags["version"] = "3";
        }

        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("scorer-gen1", AsScorer3, _ => old)
            .AddModel("scorer-gen2", AsScorer3, _ => replacement)
            .AddModel("plain", factory: _ => new ProbeModel<int, int>(i => i))
            .Build();
        using var recorder = new MetricRecorder(library);
        await library.LoadAsync();

        var calls = new[] { library.Get<int, int>("scorer-gen1").PredictAsync(1).AsTask(), library.Get<int, int>("scorer-gen2").PredictAsync(2).AsTask() };
        await old.ExpectBatchesAsync(1);
        await replacement.ExpectBatchesAsync(1);
        await library.Get<int, int>("plain").PredictAsync(3);
        recorder.Observe();
        gate.SetResult();
        await Task.WhenAll(calls);

        var busy = recorder.Measurements("modelactors.replicas.busy");
        Assert.Contains(("model=scorer,version=3", 2d), busy); // one series for both: a gauge holds one value per tag set
        Assert.Contains(("model=plain", 0d), busy);
        Assert.Equal(2, busy.Count);
        Assert.Equal(["model=plain", "model=scorer,version=3", "model=scorer,version=3"], recorder.Measurements("modelactors.requests").Select(m => m.Tags).Order());
    }

    [Theory]
    [InlineData(" ", null, "TelemetryName must not be blank")]
    [InlineData(null, "model", "TelemetryTags may not have the key 'model'; set TelemetryName instead")]
    [InlineData(null, "", "TelemetryTags may not have the key ''")]
    public void ABlankTelemetryName_OrATagNamedModel_IsARegistrationError(string? name, string? tag, string expected)
    {
        var builder = ModelLibrary.CreateBuilder().AddModel("m", o =>
        {
            o.TelemetryName = name;
            if (tag is not null)
            {
                o.TelemetryTags[tag] = "x";
            }
        }, _ => new ProbeModel<int, int>(i => i));

        var error = Assert.Throws<ModelRegistrationException>(() => builder.Build());

        Assert.Contains($"Model 'm': {expected}", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Collects the measurements of one library's meter.</summary>
    private sealed class MetricRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, double Value, string? Model, string TagSet)> _measurements = new();
        private readonly ConcurrentQueue<(string Name, double Value, TaskCompletionSource Seen)> _awaited = new();

        public MetricRecorder(ModelLibrary library)
        {
            var meter = library.Metrics.Meter;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public IEnumerable<string?> Tags => _measurements.Select(m => m.Model);

        /// <summary>Each measurement of <paramref name="name"/> with its tags written <c>key=value,...</c>.</summary>
        public IReadOnlyList<(string Tags, double Value)> Measurements(string name) =>
            [.. _measurements.Where(m => m.Name == name).Select(m => (m.TagSet, m.Value))];

        public void Observe() => _listener.RecordObservableInstruments();

        public double Sum(string name) => _measurements.Where(m => m.Name == name).Sum(m => m.Value);

        public IReadOnlyList<double> Values(string name) => [.. _measurements.Where(m => m.Name == name).Select(m => m.Value)];

        public double Last(string name) => _measurements.Last(m => m.Name == name).Value;

        /// <summary>Completes once a measurement of <paramref name="name"/> with <paramref name="value"/> is (or was) recorded.</summary>
        public Task RecordedAsync(string name, double value)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Enqueue((name, value, seen));
            if (_measurements.Any(m => m.Name == name && m.Value == value))
            {
                seen.TrySetResult();
            }

            return seen.Task;
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? model = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "model")
                {
                    model = tag.Value as string;
                }
            }

            var tagSet = string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            _measurements.Enqueue((instrument.Name, value, model, tagSet));
            foreach (var awaited in _awaited)
            {
                if (awaited.Name == instrument.Name && awaited.Value == value)
                {
                    awaited.Seen.TrySetResult();
                }
            }
        }
    }
}
