using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ModelActors.Diagnostics;

/// <summary>
/// The <c>ModelActors</c> meter of one library: per-model counters, histograms and gauges, each
/// tagged <c>model</c> (and a model's <see cref="ModelOptions.TelemetryTags"/>). Recording is skipped when nothing listens.
/// </summary>
internal sealed class ModelMetrics : IDisposable
{
    /// <summary>The meter's (and the activity source's) name.</summary>
    public const string Name = "ModelActors";

    /// <param name="observe">Each model's tags (<c>model</c> first), queue depth and busy replicas now.</param>
    public ModelMetrics(Func<IEnumerable<(KeyValuePair<string, object?>[] Tags, int QueueDepth, int BusyReplicas)>> observe)
    {
        Meter = new Meter(Name, typeof(ModelMetrics).Assembly.GetName().Version?.ToString());
        Requests = Meter.CreateCounter<long>("modelactors.requests", "{request}", "Requests received (one per PredictAsync call or per chunk)");
        Failures = Meter.CreateCounter<long>("modelactors.failures", "{request}", "Requests the model failed");
        Rejections = Meter.CreateCounter<long>("modelactors.rejections", "{request}", "Requests rejected because the queue was full");
        Timeouts = Meter.CreateCounter<long>("modelactors.timeouts", "{request}", "Requests whose deadline passed");
        Fallbacks = Meter.CreateCounter<long>("modelactors.fallbacks", "{request}", "Requests answered by the fallback model");
        QueueDuration = Meter.CreateHistogram<double>("modelactors.queue.duration", "ms", "Time from acceptance to reaching a replica");
        ComputeDuration = Meter.CreateHistogram<double>("modelactors.compute.duration", "ms", "Time of one successful model call");
        BatchSize = Meter.CreateHistogram<int>("modelactors.batch.size", "{item}", "Items in one successful model call");
        Meter.CreateObservableGauge("modelactors.queue.depth", () => Sum(observe(), m => m.QueueDepth), "{request}", "Requests waiting");
        Meter.CreateObservableGauge("modelactors.replicas.busy", () => Sum(observe(), m => m.BusyReplicas), "{replica}", "Replicas handling a call");
    }

    /// <summary>Spans for queueing and compute, named <c>modelactors.queue</c> and <c>modelactors.compute</c>.</summary>
    public static ActivitySource Activities { get; } = new(Name);

    public Meter Meter { get; }

    public Counter<long> Requests { get; }

    public Counter<long> Failures { get; }

    public Counter<long> Rejections { get; }

    public Counter<long> Timeouts { get; }

    public Counter<long> Fallbacks { get; }

    public Histogram<double> QueueDuration { get; }

    public Histogram<double> ComputeDuration { get; }

    public Histogram<int> BatchSize { get; }

    public static KeyValuePair<string, object?> Tag(string model) => new("model", model);

    /// <summary>
    /// One measurement per distinct set of tags: models reporting alike (a version replacing another, both draining or
    /// loading for a while) are added up, as a gauge's series can hold one value per observation.
    /// </summary>
    private static IEnumerable<Measurement<int>> Sum(
        IEnumerable<(KeyValuePair<string, object?>[] Tags, int QueueDepth, int BusyReplicas)> models,
        Func<(KeyValuePair<string, object?>[] Tags, int QueueDepth, int BusyReplicas), int> value) =>
        models.GroupBy(m => string.Join('\0', m.Tags.Select(t => $"{t.Key}={t.Value}")), StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Sum(value), g.First().Tags));

    public void Dispose() => Meter.Dispose();
}
