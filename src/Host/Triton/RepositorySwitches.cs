namespace ModelActors.Host.Triton;

/// <summary>
/// Triton's model-control flags, made configuration keys: <c>--model-control-mode none|poll|explicit</c>
/// (<c>Server:ModelControlMode</c>), <c>--repository-poll-secs N</c> (<c>Server:RepositoryPollSecs</c>) and
/// <c>--load-model NAME</c>, repeatable (the <c>Server:LoadModels</c> list).
/// </summary>
internal static class RepositorySwitches
{
    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal)
    {
        ["--model-control-mode"] = "Server:ModelControlMode",
        ["--repository-poll-secs"] = "Server:RepositoryPollSecs",
    };

    /// <summary>The arguments with these switches made <c>--Key=value</c> tokens; every other token as it was.</summary>
    /// <exception cref="ArgumentException">A switch has no value.</exception>
    public static string[] Expand(string[] args)
    {
        var expanded = new List<string>(args.Length);
        var loads = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, (string?)v) : (args[i], null);
            if (name == "--load-model")
            {
                value ??= i + 1 < args.Length ? args[++i] : throw new ArgumentException("--load-model needs a model name (or * for all).");
                expanded.Add($"--Server:LoadModels:{loads++}={value}");
            }
            else if (Values.TryGetValue(name, out var key))
            {
                value ??= i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
                expanded.Add($"--{key}={value}");
            }
            else
            {
                expanded.Add(args[i]);
            }
        }

        return [.. expanded];
    }
}
