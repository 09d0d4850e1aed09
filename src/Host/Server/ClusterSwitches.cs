namespace ModelActors.Host.Server;

/// <summary>
/// <c>serve</c>'s cluster switches, made configuration keys: <c>--cluster</c> (<c>ModelActors:Cluster:Enabled</c>),
/// <c>--cluster-seeds a,b</c> and <c>--cluster-models m,n</c> (the <c>SeedNodes</c> and <c>Models</c> lists; <c>*</c>: every
/// model, empty: none), <c>--cluster-hostname</c>, <c>--cluster-public-hostname</c> and <c>--cluster-port</c>.
/// </summary>
internal static class ClusterSwitches
{
    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal)
    {
        ["--cluster-hostname"] = "ModelActors:Cluster:Hostname",
        ["--cluster-public-hostname"] = "ModelActors:Cluster:PublicHostname",
        ["--cluster-port"] = "ModelActors:Cluster:Port",
    };

    private static readonly Dictionary<string, string> Lists = new(StringComparer.Ordinal)
    {
        ["--cluster-seeds"] = "ModelActors:Cluster:SeedNodes",
        ["--cluster-models"] = "ModelActors:Cluster:Models",
    };

    /// <summary>The arguments with the cluster switches made <c>--Key=value</c> tokens; every other token as it was.</summary>
    public static string[] Expand(string[] args)
    {
        var expanded = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, (string?)v) : (args[i], null);
            if (name == "--cluster")
            {
                expanded.Add($"--ModelActors:Cluster:Enabled={value ?? "true"}");
            }
            else if (Values.TryGetValue(name, out var single))
            {
                value ??= i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
                expanded.Add($"--{single}={value}");
            }
            else if (Lists.TryGetValue(name, out var key))
            {
                value ??= i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value (a comma-separated list).");
                var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

                // An empty list is one empty name (it matches no model: a node that hosts none).
                expanded.AddRange(items.Length == 0 ? [$"--{key}:0="] : items.Select((item, index) => $"--{key}:{index}={item}"));
            }
            else
            {
                expanded.Add(args[i]);
            }
        }

        return [.. expanded];
    }
}
