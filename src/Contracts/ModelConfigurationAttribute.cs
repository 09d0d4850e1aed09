namespace ModelActors;

/// <summary>
/// A named configuration of a model class (modelkit's <c>CONFIGURATIONS</c>). A class may carry several,
/// one per name; each becomes a model of its own with its own actors.
/// </summary>
/// <example>
/// <code>
/// [ModelConfiguration("ocr", Dependencies = ["text-detector", "recognizer=text-recognizer"], Replicas = 2)]
/// [ModelConfiguration("ocr-fast", Settings = ["Threshold=0.3"])]
/// public sealed class OcrModel : AsyncModel&lt;Image, string&gt; { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ModelConfigurationAttribute : Attribute
{
    /// <summary>Declares a configuration named <paramref name="name"/>.</summary>
    /// <param name="name">The model's name, unique in the library.</param>
    public ModelConfigurationAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The model's name, unique in the library.</summary>
    public string Name { get; }

    /// <summary>
    /// Dependencies, each <c>"name"</c> or <c>"key=name"</c>: the model reaches the dependency named
    /// <c>name</c> through <see cref="ModelContext.Dependency{TIn, TOut}"/> under <c>key</c>.
    /// </summary>
    public string[] Dependencies { get; set; } = [];

    /// <summary>Settings as <c>"Key=value"</c> pairs (nested keys with ':'), bound by <see cref="ModelContext.GetSettings{TSettings}"/>.</summary>
    public string[] Settings { get; set; } = [];

    /// <summary>The asset path handed to the model in <see cref="ModelContext.AssetPath"/>.</summary>
    public string? AssetPath { get; set; }

    /// <summary>The number of replicas (actors) serving this model. 0 means the library's default (1).</summary>
    public int Replicas { get; set; }

    /// <summary>How requests are routed to the replicas. The default is <see cref="RouterKind.Balancing"/>.</summary>
    public RouterKind Router { get; set; } = RouterKind.Balancing;

    /// <summary>The model's batch size for calls that give none. 0 means unset (whole list for batches, 1 for streams).</summary>
    public int BatchSize { get; set; }

    /// <summary>The request timeout in milliseconds. 0 means the library's default.</summary>
    public int TimeoutMilliseconds { get; set; }

    /// <summary>Turns on cross-request batching with at most this many items per model call. 0 means off (the default).</summary>
    public int MaxBatchSize { get; set; }

    /// <summary>With batching on, how long (ms) the oldest queued request may wait for more. The default is 0.</summary>
    public int MaxDelayMilliseconds { get; set; }

    /// <summary>Streams: how long (ms) a chunk waits for more items after its first. 0 means the default (50 ms).</summary>
    public int StreamMaxDelayMilliseconds { get; set; }

    /// <summary>The queue capacity (requests). 0 means the library's default.</summary>
    public int QueueCapacity { get; set; }

    /// <summary>A model with the same types that answers when this one fails, times out or is overloaded.</summary>
    public string? Fallback { get; set; }
}
