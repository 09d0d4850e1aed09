using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ModelActors.Host.Triton;
using ModelActors.Host.Triton.Config;

namespace ModelActors.Host.Server;

/// <summary>
/// Reads a model repository in Triton's layout: <c>DIR/&lt;model&gt;/&lt;version&gt;/model.onnx</c> (numeric version
/// folders) or <c>DIR/&lt;model&gt;/model.onnx</c>, configured by Triton's <c>config.pbtxt</c>
/// (<see cref="TritonModelConfig"/>: batching, instances, queue, declared inputs and outputs, warm-up, version policy)
/// or by a <c>config.json</c> holding the keys of a model in <c>modelactors.json</c> (<c>Replicas</c>,
/// <c>MaxBatchSize</c>, <c>Settings</c>, …); not both. Every version the policy selects (the newest by default) becomes
/// an <c>OnnxModel</c> of its own. At start, a model whose configuration cannot be served becomes an
/// <see cref="UnservableModel"/> that fails to load naming why, so the others still serve.
/// </summary>
internal static class ModelRepository
{
    /// <summary>
    /// The configuration keys (under <c>ModelActors:Models</c>) and the served versions of the models in
    /// <paramref name="directory"/> that <paramref name="include"/> selects (every one by default).
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder is missing.</exception>
    public static (Dictionary<string, string?> Settings, ModelVersions Versions) Scan(string directory, Func<string, bool>? include = null)
    {
        var root = Root(directory);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var versions = new ModelVersions();

        // Ensembles after the models their steps use: a model whose steps are not read yet waits for the next pass.
        var pending = ModelNames(root).Where(include ?? (_ => true)).ToList();
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            waiting.Clear();
            foreach (var name in pending)
            {
                try
                {
                    var model = Read(root, name, generation: 0, resolveStep: (m, v) => versions.Serves(m) ? versions.Resolve(m, v) : null);
                    foreach (var (servedAs, keys) in model.Settings)
                    {
                        foreach (var (key, value) in keys)
                        {
                            settings[$"ModelActors:Models:{servedAs}:{key}"] = value;
                        }
                    }

                    versions.Set(name, model.Versions, model.Config);
                    versions.AddNotes(name, model.Notes);
                }
                catch (StepNotServedException exception)
                {
                    waiting[name] = exception.Message;
                }
                catch (FormatException exception)
                {
                    Unservable(settings, name, exception.Message);
                }
            }

            if (waiting.Count == pending.Count)
            {
                foreach (var (name, error) in waiting)
                {
                    Unservable(settings, name, error);
                }

                break;
            }

            pending = [.. waiting.Keys];
        }

        return (settings, versions);
    }

    private static void Unservable(Dictionary<string, string?> settings, string name, string error)
    {
        settings[$"ModelActors:Models:{name}:Type"] = nameof(UnservableModel);
        settings[$"ModelActors:Models:{name}:Settings:Error"] = error;
    }

    /// <summary>The repository's folder, checked.</summary>
    /// <exception cref="InvalidOperationException">The folder is missing.</exception>
    public static string Root(string directory)
    {
        var root = Path.GetFullPath(directory);
        return Directory.Exists(root) ? root : throw new InvalidOperationException($"The model repository '{root}' does not exist.");
    }

    /// <summary>The models of the repository (its folders), sorted.</summary>
    public static IReadOnlyList<string> ModelNames(string root) =>
        [.. Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>The library model serving a version: <c>name</c> (newest) or <c>name@v</c>, with <c>#g</c> after the name for the g-th replacement.</summary>
    public static string ServedName(string name, int generation, string version, bool newest) =>
        (generation == 0 ? name : $"{name}#{generation}") + (newest || version.Length == 0 ? string.Empty : $"@{version}");

    /// <summary>
    /// What serves model <paramref name="name"/> of the repository: its versions and each one's configuration keys
    /// (relative to the model's section), named for <paramref name="generation"/>.
    /// </summary>
    /// <param name="root">The repository's folder.</param>
    /// <param name="name">The model (its folder's name).</param>
    /// <param name="generation">0 at start, then one more for each replacement.</param>
    /// <param name="configOverride">A configuration given with a load request (Triton's <c>config</c> parameter), used instead of the folder's.</param>
    /// <param name="resolveStep">For an ensemble: the library model serving a step's model and version (null version: the newest), or null when not served.</param>
    /// <exception cref="FormatException">The model cannot be served: no such folder or model file, a broken or refused configuration; the message names it.</exception>
    /// <exception cref="StepNotServedException">An ensemble's step uses a model that is not served.</exception>
    public static RepositoryModel Read(string root, string name, int generation, ModelConfig? configOverride = null, Func<string, string?, string?>? resolveStep = null)
    {
        var model = ReadVersions(root, name, generation, configOverride, resolveStep);

        // Metrics and spans name the model and version clients know, not the generation's library name: a reload's
        // series go on where the last left off (one set of series per version, however often the model is replaced).
        foreach (var (version, servedAs) in model.Versions)
        {
            var keys = model.Settings[servedAs];
            keys.TryAdd("TelemetryName", name);
            if (version.Length > 0)
            {
                keys.TryAdd("TelemetryTags:version", version);
            }
        }

        return model;
    }

    private static RepositoryModel ReadVersions(string root, string name, int generation, ModelConfig? configOverride, Func<string, string?, string?>? resolveStep)
    {
        var folder = Path.Combine(root, name);
        if (!Directory.Exists(folder))
        {
            throw new FormatException($"Model '{name}' is not in the repository ({root}).");
        }

        var pbtxt = Path.Combine(folder, "config.pbtxt");
        var json = Path.Combine(folder, "config.json");
        TritonModelConfig? triton = null;
        if (configOverride is not null)
        {
            triton = new TritonModelConfig(configOverride, $"the load request's configuration of '{name}'");
        }
        else if (File.Exists(pbtxt))
        {
            if (File.Exists(json))
            {
                throw new FormatException($"Model '{name}' has both {pbtxt} and {json}: keep one (config.pbtxt is Triton's, config.json this server's).");
            }

            triton = TritonModelConfig.Read(pbtxt);
        }

        if (triton?.Refusal(name) is { } refusal)
        {
            throw new FormatException(refusal);
        }

        var ensemble = triton?.IsEnsemble == true;
        var fileName = triton?.ModelFileName ?? "model.onnx";
        var available = Directory.GetDirectories(folder)
            .Select(d => long.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (ensemble || File.Exists(Path.Combine(d, fileName))) ? n : -1)
            .Where(n => n >= 0)
            .ToList();
        var notes = triton?.Notes() ?? [];
        if (ensemble)
        {
            // An ensemble has no file: each version folder (Triton's layout has an empty "1") serves the same pipeline.
            var pipeline = triton!.EnsembleSettings(resolveStep ?? ((_, _) => null));
            var chosen = available.Count == 0 ? [] : triton.SelectVersions(available);
            List<(string, string)> served = chosen.Count == 0
                ? [(string.Empty, ServedName(name, generation, string.Empty, newest: true))]
                : [.. chosen.Select((v, i) => (v.ToString(CultureInfo.InvariantCulture), ServedName(name, generation, v.ToString(CultureInfo.InvariantCulture), newest: i == 0)))];
            return new RepositoryModel(name, served, served.ToDictionary(v => v.Item2, _ => new Dictionary<string, string?>(pipeline, StringComparer.OrdinalIgnoreCase), StringComparer.Ordinal), notes) { Config = triton.Config };
        }

        IEnumerable<KeyValuePair<string, string?>> keys = triton is null ? (File.Exists(json) ? ReadConfig(json) : []) : triton.Settings(folder);
        if (available.Count == 0)
        {
            var direct = Path.Combine(folder, fileName);
            if (!File.Exists(direct))
            {
                throw new FormatException($"Model '{name}' in the repository has no model file: expected {Path.Combine(folder, "<version>", fileName)} or {direct}.");
            }

            var servedAs = ServedName(name, generation, string.Empty, newest: true);
            return new RepositoryModel(name, [(string.Empty, servedAs)], new Dictionary<string, Dictionary<string, string?>> { [servedAs] = Onnx(keys, direct) }, notes) { Config = triton?.Config };
        }

        var selected = triton?.SelectVersions(available) ?? [available.Max()];
        if (selected.Count == 0)
        {
            throw new FormatException($"{triton!.Path}: the version_policy of model '{name}' selects none of its versions ({string.Join(", ", available.Order())}).");
        }

        var versions = new List<(string, string)>();
        var settings = new Dictionary<string, Dictionary<string, string?>>(StringComparer.Ordinal);
        for (var i = 0; i < selected.Count; i++)
        {
            var version = selected[i].ToString(CultureInfo.InvariantCulture);
            var servedAs = ServedName(name, generation, version, newest: i == 0);
            settings[servedAs] = Onnx(keys, Path.Combine(folder, version, fileName));
            versions.Add((version, servedAs));
        }

        return new RepositoryModel(name, versions, settings, notes) { Config = triton?.Config };
    }

    /// <summary>A digest of everything in the model's folder that makes the model (every file's path, size and write time): a poll that sees it change reloads the model.</summary>
    public static string Fingerprint(string root, string name)
    {
        var folder = Path.Combine(root, name);
        if (!Directory.Exists(folder))
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            text.Append(Path.GetRelativePath(folder, file)).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static Dictionary<string, string?> Onnx(IEnumerable<KeyValuePair<string, string?>> keys, string file)
    {
        var settings = new Dictionary<string, string?>(keys, StringComparer.OrdinalIgnoreCase)
        {
            ["Type"] = "OnnxModel",
            ["AssetPath"] = file,
        };
        return settings;
    }

    private static List<KeyValuePair<string, string?>> ReadConfig(string path)
    {
        try
        {
            return new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build()
                .AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null).ToList();
        }
        catch (Exception exception) when (exception is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new FormatException($"The model configuration '{path}' is not valid JSON: {exception.Message}", exception);
        }
    }
}

/// <summary>What serves one repository model: its versions (newest first, version "" without version folders) with the library model of each, and each one's configuration keys.</summary>
/// <param name="Name">The model.</param>
/// <param name="Versions">The versions and the library models serving them.</param>
/// <param name="Settings">Each library model's configuration keys (relative to its section).</param>
/// <param name="Notes">What the load log says about the configuration.</param>
internal sealed record RepositoryModel(string Name, IReadOnlyList<(string Version, string Served)> Versions, IReadOnlyDictionary<string, Dictionary<string, string?>> Settings, IReadOnlyList<string> Notes)
{
    /// <summary>The model's Triton configuration, when it has one (config.pbtxt or a load request's).</summary>
    public ModelConfig? Config { get; init; }
}
