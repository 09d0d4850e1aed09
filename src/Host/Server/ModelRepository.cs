using System.Globalization;

namespace ModelActors.Host.Server;

/// <summary>
/// Reads a model repository in Triton's layout: <c>DIR/&lt;model&gt;/model.onnx</c> or
/// <c>DIR/&lt;model&gt;/&lt;version&gt;/model.onnx</c> (numeric version folders; the highest is served, as Triton's
/// default policy does), with an optional <c>DIR/&lt;model&gt;/config.json</c> holding the same keys as a model in
/// <c>modelactors.json</c> (<c>Replicas</c>, <c>MaxBatchSize</c>, <c>MaxDelay</c>, <c>Settings</c> with
/// <c>BatchAxes</c>, <c>SharedInputs</c>, …). Every ONNX file found becomes an <c>OnnxModel</c> without code.
/// </summary>
internal static class ModelRepository
{
    /// <summary>The configuration keys (under <c>ModelActors:Models</c>) and served versions of the models in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidOperationException">The folder is missing, a model folder has no model file, or a config.json is not valid; the message names it.</exception>
    public static (Dictionary<string, string?> Settings, Dictionary<string, string> Versions) Scan(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new InvalidOperationException($"The model repository '{root}' does not exist.");
        }

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            var (file, version) = FindModelFile(folder)
                ?? throw new InvalidOperationException($"Model '{name}' in the repository has no model file: expected {Path.Combine(folder, "model.onnx")} or {Path.Combine(folder, "<version>", "model.onnx")}.");
            var prefix = $"ModelActors:Models:{name}:";
            var config = Path.Combine(folder, "config.json");
            if (File.Exists(config))
            {
                foreach (var (key, value) in ReadConfig(config))
                {
                    settings[prefix + key] = value;
                }
            }

            settings[prefix + "Type"] = "OnnxModel";
            settings[prefix + "AssetPath"] = file;
            if (version is not null)
            {
                versions[name] = version;
            }
        }

        return (settings, versions);
    }

    private static (string File, string? Version)? FindModelFile(string folder)
    {
        var newest = Directory.GetDirectories(folder)
            .Select(d => (Path: d, Number: long.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
            .Where(d => d.Number >= 0 && File.Exists(Path.Combine(d.Path, "model.onnx")))
            .OrderByDescending(d => d.Number)
            .FirstOrDefault();
        if (newest.Path is not null)
        {
            return (Path.Combine(newest.Path, "model.onnx"), newest.Number.ToString(CultureInfo.InvariantCulture));
        }

        var direct = Path.Combine(folder, "model.onnx");
        return File.Exists(direct) ? (direct, null) : null;
    }

    private static IEnumerable<KeyValuePair<string, string?>> ReadConfig(string path)
    {
        try
        {
            return new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build()
                .AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null).ToList();
        }
        catch (Exception exception) when (exception is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"The model configuration '{path}' is not valid JSON: {exception.Message}", exception);
        }
    }
}
