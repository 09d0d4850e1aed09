using ModelActors.Models;

namespace ModelActors.Host.Server;

/// <summary>
/// Checks <c>serve</c>'s command line before it becomes configuration. .NET's command-line configuration takes any
/// <c>--name value</c> as a key and skips a token it cannot read, so a misspelt switch (<c>--model-repositry</c>) or a
/// stray word would start a server that silently ignores it; here a plain switch must be one <c>serve</c> or the web
/// host reads, a stray token is refused, and a configuration path (<c>--Server:LameDuck=2s</c>, any key with a colon)
/// passes as before.
/// </summary>
internal static class ServeArguments
{
    /// <summary><c>serve</c>'s own switches (also those the cluster and repository switches expand to).</summary>
    private static readonly string[] ServeSwitches =
    [
        "config", "urls", "model-repository", "grpc-url", "model-control-mode", "repository-poll-secs", "load-model",
        "cluster", "cluster-seeds", "cluster-models", "cluster-hostname", "cluster-public-hostname", "cluster-port",
    ];

    /// <summary>The keys ASP.NET Core's web host reads from configuration (<c>WebHostDefaults</c>) and the configuration's sections, which may be given here too.</summary>
    private static readonly string[] HostKeys =
    [
        "applicationName", "environment", "contentRoot", "webroot", "detailedErrors", "captureStartupErrors",
        "hostingStartupAssemblies", "hostingStartupExcludeAssemblies", "preventHostingStartup", "http_ports", "https_ports",
        "preferHostingUrls", "shutdownTimeoutSeconds", "suppressStatusMessages", "startupAssembly",

        // The configuration's sections and top-level keys themselves (a test host passes "--Server=" for a section).
        "ModelActors", "Server", "Logging", "Kestrel", "AllowedHosts",
    ];

    /// <summary>Refuses a token the configuration would ignore: an unknown plain switch, a single-dash one, a stray word.</summary>
    /// <param name="args">The command line after <c>serve</c>, its cluster and repository switches already expanded.</param>
    /// <param name="mapped">The switches mapped to configuration keys (they are known).</param>
    /// <exception cref="ArgumentException">A token names nothing; the message names it and the nearest switch.</exception>
    public static void Check(string[] args, IReadOnlyDictionary<string, string> mapped)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var token = args[i];
            if (mapped.ContainsKey(token.Split('=', 2)[0]))
            {
                i += token.Contains('=') ? 0 : 1;
                continue;
            }

            var prefix = token.StartsWith("--", StringComparison.Ordinal) ? 2 : token.StartsWith('/') ? 1 : 0;
            var separator = token.IndexOf('=', StringComparison.Ordinal);
            var name = separator < 0 ? token : token[..separator];
            if (prefix == 0 && !token.StartsWith('-'))
            {
                throw new ArgumentException($"unexpected argument '{token}': serve takes options (--name value or --name=value) only.");
            }

            // A single dash is read only for a mapped switch; a plain key without a colon must be a known one.
            if (prefix == 0 || (!name.Contains(':', StringComparison.Ordinal) && !IsKnown(name[prefix..])))
            {
                var hint = NameSuggester.Nearest(name.TrimStart('-', '/'), ServeSwitches) is { } nearest ? $" Did you mean '--{nearest}'?" : string.Empty;
                throw new ArgumentException($"unknown option '{name}'.{hint} Run 'modelactors serve --help' for the options; a configuration key is given as --Section:Key=value.");
            }

            // "--name value": the next token is the value, whatever it looks like (as the configuration reads it).
            i += separator < 0 ? 1 : 0;
        }
    }

    /// <summary>
    /// <paramref name="args"/> without <c>--urls</c> (<c>--urls value</c>, <c>--urls=value</c>, <c>/urls</c>); its value
    /// (the last one given) goes to <paramref name="urls"/>. The server binds those URLs itself (GrpcEndpoint): left in the
    /// web host's settings, Kestrel would also take them as addresses it then overrides, with a warning at every start.
    /// </summary>
    public static string[] WithoutUrls(string[] args, out string? urls)
    {
        urls = null;
        var kept = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var token = args[i];
            var separator = token.IndexOf('=', StringComparison.Ordinal);
            var name = separator < 0 ? token : token[..separator];
            if (!name.Equals("--urls", StringComparison.OrdinalIgnoreCase) && !name.Equals("/urls", StringComparison.OrdinalIgnoreCase))
            {
                kept.Add(token);
            }
            else if (separator >= 0)
            {
                urls = token[(separator + 1)..];
            }
            else if (i + 1 < args.Length)
            {
                urls = args[++i];
            }
            else
            {
                kept.Add(token); // no value: Check names it
            }
        }

        return [.. kept];
    }

    private static bool IsKnown(string key) =>
        ServeSwitches.Contains(key, StringComparer.Ordinal) || HostKeys.Contains(key, StringComparer.OrdinalIgnoreCase);
}
