namespace ModelActors.Host.Server;

/// <summary>
/// The versions the server serves: each version a <c>--model-repository</c> model's policy selects is a model of its
/// own (its own actor, replicas, batching and drain), under the model's name for the newest and <c>name@version</c>
/// for the others; a request without a version reaches the newest. Also what the load log says about each
/// repository model's configuration.
/// </summary>
public sealed class ModelVersions
{
    private readonly Dictionary<string, List<(string Version, string Served)>> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Model, string Version)> _byServedName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _notes = new(StringComparer.Ordinal);

    /// <summary>Records that version <paramref name="version"/> of <paramref name="model"/> is served as the library's model <paramref name="servedAs"/>; add the newest first.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="version">The version folder's name.</param>
    /// <param name="servedAs">The library's model that serves it.</param>
    public void Add(string model, string version, string servedAs)
    {
        if (!_versions.TryGetValue(model, out var list))
        {
            _versions[model] = list = [];
        }

        list.Add((version, servedAs));
        _byServedName[servedAs] = (model, version);
    }

    /// <summary>Records what the load log says about <paramref name="model"/>'s configuration.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="notes">The lines.</param>
    public void AddNotes(string model, IReadOnlyList<string> notes) => _notes[model] = notes;

    /// <summary>What the load log says about each repository model's configuration (fields not served, delays mapped).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Notes => _notes;

    /// <summary>The version a request without one reaches (the newest), or null when <paramref name="model"/> has no versions.</summary>
    /// <param name="model">The model's name, or the library's name of one of its versions (then that version).</param>
    /// <returns>The version or null.</returns>
    public string? Of(string model) =>
        _byServedName.TryGetValue(model, out var served) ? served.Version : _versions.GetValueOrDefault(model)?[0].Version;

    /// <summary>Every version of <paramref name="model"/> served, newest first (empty when it has none).</summary>
    /// <param name="model">The model's name.</param>
    /// <returns>The versions.</returns>
    public IReadOnlyList<string> All(string model) => _versions.TryGetValue(model, out var list) ? [.. list.Select(v => v.Version)] : [];

    /// <summary>The library's model serving <paramref name="version"/> of <paramref name="model"/>: the model itself without a version or when it has none; null when that version is not served.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="version">The version asked for, or null/empty.</param>
    /// <returns>The library's model name, or null.</returns>
    public string? Resolve(string model, string? version)
    {
        if (string.IsNullOrEmpty(version) || !_versions.TryGetValue(model, out var list))
        {
            return string.IsNullOrEmpty(version) ? model : null;
        }

        return list.FirstOrDefault(v => v.Version == version).Served;
    }

    /// <summary>The model and version a library model serves, or null when it is not a repository version.</summary>
    /// <param name="servedAs">The library's model name.</param>
    /// <returns>The model and version, or null.</returns>
    public (string Model, string Version)? ServedBy(string servedAs) => _byServedName.TryGetValue(servedAs, out var served) ? served : null;
}
