using System.Globalization;
using ModelActors.Host.Triton;

namespace ModelActors.Host.Server;

/// <summary>
/// Reads a model repository in Triton's layout: <c>DIR/&lt;model&gt;/&lt;version&gt;/model.onnx</c> (numeric version
/// folders) or <c>DIR/&lt;model&gt;/model.onnx</c>, configured by Triton's <c>config.pbtxt</c>
/// (<see cref="TritonModelConfig"/>: batching, instances, queue, declared inputs and outputs, warm-up, version policy)
/// or by a <c>config.json</c> holding the keys of a model in <c>modelactors.json</c> (<c>Replicas</c>,
/// <c>MaxBatchSize</c>, <c>Settings</c>, …); not both. Every version the policy selects (the newest by default) becomes
/// an <c>OnnxModel</c> of its own; a model whose configuration cannot be served becomes an
/// <see cref="UnservableModel"/> that fails to load naming why, so the others still serve.
/// </summary>
internal static class ModelRepository
{
    /// <summary>The configuration keys (under <c>ModelActors:Models</c>), the served versions and the load-log notes of the models in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidOperationException">The folder is missing.</exception>
    public static (Dictionary<string, string?> Settings, ModelVersions Versions) Scan(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new InvalidOperationException($"The model repository '{root}' does not exist.");
        }

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var versions = new ModelVersions();
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            try
            {
                AddModel(name, folder, settings, versions);
            }
            catch (FormatException exception)
            {
                settings[$"ModelActors:Models:{name}:Type"] = nameof(UnservableModel);
                settings[$"ModelActors:Models:{name}:Settings:Error"] = exception.Message;
            }
        }

        return (settings, versions);
    }

    private static void AddModel(string name, string folder, Dictionary<string, string?> settings, ModelVersions versions)
    {
        var pbtxt = Path.Combine(folder, "config.pbtxt");
        var json = Path.Combine(folder, "config.json");
        TritonModelConfig? triton = null;
        if (File.Exists(pbtxt))
        {
            if (File.Exists(json))
            {
                throw new FormatException($"Model '{name}' has both {pbtxt} and {json}: keep one (config.pbtxt is Triton's, config.json this server's).");
            }

            triton = TritonModelConfig.Read(pbtxt);
            if (triton.Refusal(name) is { } refusal)
            {
                throw new FormatException(refusal);
            }

            if (triton.IsEnsemble)
            {
                throw new FormatException($"{pbtxt}: model '{name}' is an ensemble, which this server does not serve yet.");
            }

            versions.AddNotes(name, triton.Notes());
        }

        var fileName = triton?.ModelFileName ?? "model.onnx";
        var available = Directory.GetDirectories(folder)
            .Select(d => long.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && File.Exists(Path.Combine(d, fileName)) ? n : -1)
            .Where(n => n >= 0)
            .ToList();
        IEnumerable<KeyValuePair<string, string?>> modelSettings = triton is null ? (File.Exists(json) ? ReadConfig(json) : []) : triton.Settings(folder);
        if (available.Count == 0)
        {
            var direct = Path.Combine(folder, fileName);
            if (!File.Exists(direct))
            {
                throw new FormatException($"Model '{name}' in the repository has no model file: expected {Path.Combine(folder, "<version>", fileName)} or {direct}.");
            }

            Add(settings, name, direct, modelSettings);
            return;
        }

        var selected = triton?.SelectVersions(available) ?? [available.Max()];
        if (selected.Count == 0)
        {
            throw new FormatException($"{pbtxt}: the version_policy of model '{name}' selects none of its versions ({string.Join(", ", available.Order())}).");
        }

        for (var i = 0; i < selected.Count; i++)
        {
            var version = selected[i].ToString(CultureInfo.InvariantCulture);
            var servedAs = i == 0 ? name : $"{name}@{version}";
            Add(settings, servedAs, Path.Combine(folder, version, fileName), modelSettings);
            versions.Add(name, version, servedAs);
        }
    }

    private static void Add(Dictionary<string, string?> settings, string servedAs, string file, IEnumerable<KeyValuePair<string, string?>> modelSettings)
    {
        var prefix = $"ModelActors:Models:{servedAs}:";
        foreach (var (key, value) in modelSettings)
        {
            settings[prefix + key] = value;
        }

        settings[prefix + "Type"] = "OnnxModel";
        settings[prefix + "AssetPath"] = file;
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
