namespace ModelActors.Diagnostics;

/// <summary>The names to subscribe to ModelActors' diagnostics with (OpenTelemetry's <c>AddMeter</c> and <c>AddSource</c>).</summary>
public static class ModelActorsTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> every library records on: requests, failures, rejections, timeouts, fallbacks, queue and compute time, batch size.</summary>
    public const string MeterName = ModelMetrics.Name;

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of the queue and compute spans.</summary>
    public const string ActivitySourceName = ModelMetrics.Name;
}
