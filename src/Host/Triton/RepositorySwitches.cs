namespace ModelActors.Host.Triton;

/// <summary>
/// Triton's repeatable <c>--load-model NAME</c>, made the <c>Server:LoadModels</c> list (a switch mapping keeps only the
/// last of repeated switches; <c>--model-control-mode</c> and <c>--repository-poll-secs</c> are plain switch mappings).
/// </summary>
internal static class RepositorySwitches
{
    /// <summary>The arguments with each <c>--load-model</c> made a <c>--Server:LoadModels:i=NAME</c> token; every other token as it was.</summary>
    /// <exception cref="ArgumentException">A <c>--load-model</c> has no value.</exception>
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
            else
            {
                expanded.Add(args[i]);
            }
        }

        return [.. expanded];
    }
}
