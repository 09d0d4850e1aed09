using Microsoft.Extensions.Configuration;

namespace ModelActors.Models;

/// <summary>One validated model configuration: everything the library needs to run it.</summary>
internal sealed record ModelDefinition
{
    public required string Name { get; init; }

    public required Type ModelType { get; init; }

    public required Type ItemType { get; init; }

    public required Type ResultType { get; init; }

    public required bool IsSync { get; init; }

    /// <summary>Whether the class overrides the single-item method (else the batch method).</summary>
    public required bool OverridesSingle { get; init; }

    /// <summary>Dependency key → model name.</summary>
    public required IReadOnlyDictionary<string, string> Dependencies { get; init; }

    public required IConfiguration Settings { get; init; }

    public string? AssetPath { get; init; }

    public int Replicas { get; init; } = 1;

    public RouterKind Router { get; init; }

    public int? BatchSize { get; init; }

    public TimeSpan? Timeout { get; init; }

    public int? MaxChunksInFlight { get; init; }

    /// <summary>The default of <see cref="StreamMaxDelay"/>.</summary>
    public static readonly TimeSpan DefaultStreamMaxDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a stream chunk waits for more items after its first.</summary>
    public TimeSpan StreamMaxDelay { get; init; } = DefaultStreamMaxDelay;

    public int? QueueCapacity { get; init; }

    public int? LoadRetries { get; init; }

    /// <summary>Cross-request batching, or null when off.</summary>
    public Batching.BatchingOptions? Batching { get; init; }

    /// <summary>The model that answers when this one fails, or null.</summary>
    public string? Fallback { get; init; }

    /// <summary>The tags of the model's metrics and spans, <c>model</c> first (by default only <c>model</c> = its name).</summary>
    public required KeyValuePair<string, object?>[] TelemetryTags { get; init; }

    /// <summary>Makes an instance; null to construct the class through dependency injection.</summary>
    public Func<IServiceProvider, object>? Factory { get; init; }

    /// <summary>Where the configuration came from, for error messages.</summary>
    public required string Source { get; init; }
}
