using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace ModelActors.Models;

/// <summary>
/// One model configuration as registered (from an attribute, code or configuration), before validation:
/// <see cref="ToDefinition"/> checks it and turns it into a <see cref="ModelDefinition"/>.
/// </summary>
internal sealed record ModelRegistration(string Name, Type? ModelType, ModelOptions? Options, Func<IServiceProvider, object>? Factory, string Source)
{
    /// <summary>The model class's name, when configuration names it (resolved at validation).</summary>
    public string? TypeName { get; init; }

    /// <summary>The configuration's Settings section, when the model comes from configuration.</summary>
    public IConfiguration? SettingsSection { get; init; }

    /// <summary>A problem found at registration (e.g. a class without a configuration).</summary>
    public string? Error { get; init; }

    /// <summary>Checks this registration and makes its definition; adds every problem to <paramref name="errors"/> and returns null when there are any.</summary>
    public ModelDefinition? ToDefinition(IEnumerable<Assembly> assemblies, List<string> errors)
    {
        var name = Name;
        if (Error is { } error)
        {
            errors.Add(error);
            return null;
        }

        var type = ModelType;
        if (type is null)
        {
            if (string.IsNullOrWhiteSpace(TypeName))
            {
                errors.Add($"Model '{name}' ({Source}) gives no Type: name its model class.");
                return null;
            }

            type = ModelTypes.Resolve(TypeName, assemblies, out var resolveError);
            if (type is null)
            {
                errors.Add($"Model '{name}' ({Source}): {resolveError ?? $"no model class named '{TypeName}' was found."}");
                return null;
            }
        }

        var problems = errors.Count;
        var shape = ModelTypes.Inspect(type, name, errors);
        var options = Options ?? new ModelOptions();
        var dependencies = ParseDependencies(name, options.Dependencies, errors);
        CheckRange(name, "Replicas", options.Replicas, errors);
        CheckRange(name, "BatchSize", options.BatchSize, errors);
        CheckRange(name, "MaxChunksInFlight", options.MaxChunksInFlight, errors);
        CheckRange(name, "QueueCapacity", options.QueueCapacity, errors);
        if (options.LoadRetries < 0)
        {
            errors.Add($"Model '{name}': LoadRetries must be 0 or more (was {options.LoadRetries}).");
        }

        if (options.StreamMaxDelay <= TimeSpan.Zero)
        {
            errors.Add($"Model '{name}': StreamMaxDelay must be positive (was {options.StreamMaxDelay}).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Model '{name}': Timeout must be positive and finite (was {Describe(options.Timeout!.Value)}).");
        }

        CheckRange(name, "MaxBatchSize", options.MaxBatchSize, errors);
        if (options.MaxDelay < TimeSpan.Zero)
        {
            errors.Add($"Model '{name}': MaxDelay must not be negative (was {options.MaxDelay}).");
        }
        else if (options.MaxDelay > TimeSpan.Zero && options.MaxBatchSize is null)
        {
            errors.Add($"Model '{name}': MaxDelay is set but MaxBatchSize is not; set MaxBatchSize to turn batching on.");
        }

        CheckRouter(name, options, shape, errors);
        var telemetry = TelemetryTags(name, options, errors);
        if (shape is not { } s || errors.Count > problems)
        {
            return null;
        }

        return new ModelDefinition
        {
            Name = name,
            ModelType = type,
            ItemType = s.ItemType,
            ResultType = s.ResultType,
            IsSync = s.IsSync,
            OverridesSingle = s.OverridesSingle,
            Dependencies = dependencies,
            Settings = SettingsSection ?? new ConfigurationBuilder().AddInMemoryCollection(options.Settings).Build(),
            AssetPath = options.AssetPath,
            Replicas = options.Replicas ?? 1,
            Router = options.Router ?? RouterKind.Balancing,
            BatchSize = options.BatchSize,
            Timeout = options.Timeout,
            MaxChunksInFlight = options.MaxChunksInFlight,
            StreamMaxDelay = options.StreamMaxDelay ?? ModelDefinition.DefaultStreamMaxDelay,
            QueueCapacity = options.QueueCapacity,
            LoadRetries = options.LoadRetries,
            // MaxBatchSize 1 merges nothing: such a model runs without a batcher (measured on §3's MLP at one item per
            // call: 91% of the raw session's items/s and 960 B/item without it, 81-87% and ~1,500 B/item through it).
            Batching = options.MaxBatchSize is { } max and > 1 ? new Batching.BatchingOptions(max, options.MaxDelay ?? TimeSpan.Zero) : null,
            Fallback = string.IsNullOrWhiteSpace(options.Fallback) ? null : options.Fallback,
            Factory = Factory,
            Source = Source,
            TelemetryTags = telemetry,
        };
    }

    /// <summary>The tags of the model's metrics and spans: <c>model</c> first (its telemetry name, else its name), then the others.</summary>
    private static KeyValuePair<string, object?>[] TelemetryTags(string name, ModelOptions options, List<string> errors)
    {
        if (options.TelemetryName is { } telemetryName && string.IsNullOrWhiteSpace(telemetryName))
        {
            errors.Add($"Model '{name}': TelemetryName must not be blank (leave it unset to report under the model's name).");
        }

        foreach (var key in options.TelemetryTags.Keys.Where(k => string.IsNullOrWhiteSpace(k) || k == "model"))
        {
            errors.Add($"Model '{name}': TelemetryTags may not have the key '{key}'{(key == "model" ? "; set TelemetryName instead" : string.Empty)}.");
        }

        return [new("model", string.IsNullOrWhiteSpace(options.TelemetryName) ? name : options.TelemetryName),
            .. options.TelemetryTags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new KeyValuePair<string, object?>(t.Key, t.Value ?? string.Empty))];
    }

    private static void CheckRouter(string name, ModelOptions options, ModelTypes.Shape? shape, List<string> errors)
    {
        if (options.Router is not { } router)
        {
            return;
        }

        if (!Enum.IsDefined(router))
        {
            errors.Add($"Model '{name}': Router {(int)router} is not one of {string.Join(", ", Enum.GetNames<RouterKind>())}.");
            return;
        }

        if (router != RouterKind.ConsistentHashing)
        {
            return;
        }

        if (options.MaxBatchSize > 1)
        {
            errors.Add($"Model '{name}': Router ConsistentHashing cannot be combined with batching (MaxBatchSize {options.MaxBatchSize}): a batch merges many keys' items into one call on one replica.");
        }

        if (shape is { } s && !Actors.HashKeys.Supports(s.ItemType))
        {
            errors.Add($"Model '{name}': Router ConsistentHashing needs a key from each item, but its item type {s.ItemType.Name} is neither a string, bytes nor a formattable value, and does not implement Akka.Routing.IConsistentHashable.");
        }
    }

    private static void CheckRange(string name, string setting, int? value, List<string> errors)
    {
        if (value < 1)
        {
            errors.Add($"Model '{name}': {setting} must be at least 1 (was {value}).");
        }
    }

    private static Dictionary<string, string> ParseDependencies(string name, IEnumerable<string> specs, List<string> errors)
    {
        var dependencies = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var parts = spec.Split('=', 2, StringSplitOptions.TrimEntries);
            var (key, target) = parts.Length == 2 ? (parts[0], parts[1]) : (parts[0], parts[0]);
            if (key.Length == 0 || target.Length == 0)
            {
                errors.Add($"Model '{name}': dependency '{spec}' is malformed; write \"name\" or \"key=name\".");
            }
            else if (!dependencies.TryAdd(key, target))
            {
                errors.Add($"Model '{name}': dependency key '{key}' is declared twice.");
            }
        }

        return dependencies;
    }

    /// <summary>The options an attribute gives.</summary>
    public static ModelOptions FromAttribute(ModelConfigurationAttribute attribute)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in attribute.Settings)
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            settings[parts[0]] = parts.Length == 2 ? parts[1] : string.Empty;
        }

        return new ModelOptions
        {
            Dependencies = [.. attribute.Dependencies],
            Settings = settings,
            AssetPath = attribute.AssetPath,
            Replicas = attribute.Replicas == 0 ? null : attribute.Replicas,
            Router = attribute.Router,
            BatchSize = attribute.BatchSize == 0 ? null : attribute.BatchSize,
            Timeout = attribute.TimeoutMilliseconds == 0 ? null : TimeSpan.FromMilliseconds(attribute.TimeoutMilliseconds),
            MaxBatchSize = attribute.MaxBatchSize == 0 ? null : attribute.MaxBatchSize,
            MaxDelay = attribute.MaxDelayMilliseconds == 0 ? null : TimeSpan.FromMilliseconds(attribute.MaxDelayMilliseconds),
            QueueCapacity = attribute.QueueCapacity == 0 ? null : attribute.QueueCapacity,
            StreamMaxDelay = attribute.StreamMaxDelayMilliseconds == 0 ? null : TimeSpan.FromMilliseconds(attribute.StreamMaxDelayMilliseconds),
            Fallback = attribute.Fallback,
        };
    }

    /// <summary>A timeout as a message names it: "infinite" for <see cref="Timeout.InfiniteTimeSpan"/> (it prints as -1 ms).</summary>
    internal static string Describe(TimeSpan timeout) => timeout == Timeout.InfiniteTimeSpan ? "infinite" : timeout.ToString();
}
