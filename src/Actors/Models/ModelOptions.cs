namespace ModelActors;

/// <summary>
/// One model configuration given in code or in a JSON configuration section
/// (<c>ModelActors:Models:{name}</c>). Unset values fall back to the attribute's, then the library's defaults.
/// </summary>
public sealed class ModelOptions
{
    /// <summary>The model class, by type name or full name (JSON only; in code the class is given by the call).</summary>
    public string? Type { get; set; }

    /// <summary>Dependencies, each <c>"name"</c> or <c>"key=name"</c>.</summary>
    public List<string> Dependencies { get; set; } = [];

    /// <summary>Settings as flat keys (nested keys with ':'); in JSON, the <c>Settings</c> object.</summary>
    public Dictionary<string, string?> Settings { get; set; } = [];

    /// <summary>The asset path handed to the model.</summary>
    public string? AssetPath { get; set; }

    /// <summary>The number of replicas. <value>The default value is 1.</value></summary>
    public int? Replicas { get; set; }

    /// <summary>How requests reach the replicas. <value>The default value is <see cref="RouterKind.Balancing"/>.</value></summary>
    public RouterKind? Router { get; set; }

    /// <summary>The batch size for calls that give none. <value>The default is unset: the whole list for batches, 1 for streams.</value></summary>
    public int? BatchSize { get; set; }

    /// <summary>The request timeout. <value>The default is the library's <see cref="ModelLibraryOptions.DefaultTimeout"/>.</value></summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Chunks a stream or batch call keeps in flight. <value>The default is the replica count.</value></summary>
    public int? MaxChunksInFlight { get; set; }

    /// <summary>
    /// Streams (<c>PredictStream</c>, <c>AsFlow</c>): how long a chunk waits for more items after its first
    /// before it goes to the model part-full, so a live source that waits for its results never stalls.
    /// Cut on Akka's scheduler, which ticks every 10 ms. <value>The default value is 50 ms.</value>
    /// </summary>
    public TimeSpan? StreamMaxDelay { get; set; }

    /// <summary>Requests that may wait in the model's queue before new ones are rejected as overloaded. <value>The default is the library's <see cref="ModelLibraryOptions.DefaultQueueCapacity"/>.</value></summary>
    public int? QueueCapacity { get; set; }

    /// <summary>
    /// Turns on cross-request batching: the most items in one model call. Queued requests of any callers
    /// are merged into calls of at most this many items, and larger chunks are split.
    /// <value>The default is unset: batching off, every per-call chunk reaches the model as cut.</value>
    /// </summary>
    public int? MaxBatchSize { get; set; }

    /// <summary>
    /// With batching on, how long the oldest queued request may wait for more to arrive before a partial
    /// batch goes to a free replica. <value>The default value is zero: send what is queued at once.</value>
    /// </summary>
    public TimeSpan? MaxDelay { get; set; }

    /// <summary>A model with the same item and result types that answers when this one fails, times out or is overloaded. <value>The default is none.</value></summary>
    public string? Fallback { get; set; }

    /// <summary>Load retries after a failed load. <value>The default is the library's <see cref="ModelLibraryOptions.LoadRetries"/>.</value></summary>
    public int? LoadRetries { get; set; }

    /// <summary>
    /// The <c>model</c> tag of this model's metrics and spans. Models that take over from one another under new names
    /// (a new version loaded beside the old, then replacing it) report under one name, so a dashboard's series go on
    /// across the replacement instead of a new set of series per replacement. <value>The default is the model's name.</value>
    /// </summary>
    public string? TelemetryName { get; set; }

    /// <summary>
    /// More tags on this model's metrics and spans besides <c>model</c> (e.g. <c>version</c>); keep their values few, each
    /// distinct set is a series of its own. <value>The default is none.</value>
    /// </summary>
    public Dictionary<string, string?> TelemetryTags { get; set; } = [];
}
