namespace ModelActors.Host.Server;

/// <summary>
/// Which library models serve the <c>--model-repository</c>'s models: each version a model's policy selects is a model
/// of its own (its own actor, replicas, batching and drain), named <c>name</c> for the newest and <c>name@version</c> for
/// the others at first, <c>name#g</c> and <c>name#g@version</c> for the g-th replacement (the new ones load beside the
/// old, then take over); a request without a version reaches the newest. Read by every request, replaced whole per
/// model by the repository's actor (no lock on the read path). Also what the load log says about each configuration.
/// </summary>
public sealed class ModelVersions
{
    private readonly object _gate = new();
    private readonly Dictionary<string, IReadOnlyList<string>> _notes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Triton.Config.ModelConfig> _configs = new(StringComparer.Ordinal);

    // Every library name ever handed to a repository model's version (written under the gate, replaced whole).
    private volatile HashSet<string> _handedOut = new(StringComparer.Ordinal);

    // The version each replaced or unloaded generation served (it still answers what it accepted while it drains), so its
    // answers name their version (written under the gate, replaced whole).
    private volatile Dictionary<string, string> _retired = new(StringComparer.Ordinal);

    // Both maps in one object, replaced whole: a reader sees them from the same moment.
    private volatile Snapshot _now = new(new(StringComparer.Ordinal), new(StringComparer.Ordinal));

    private Dictionary<string, IReadOnlyList<(string Version, string Served)>> VersionsNow => _now.Versions;

    private Dictionary<string, (string Model, string Version)> ServedNow => _now.ByServedName;

    /// <summary>Sets what serves <paramref name="model"/>: its versions, newest first, each with the library model serving it (version "" for a model without version folders).</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="versions">The versions and their library models.</param>
    /// <param name="config">Its Triton configuration, when it has one.</param>
    public void Set(string model, IReadOnlyList<(string Version, string Served)> versions, Triton.Config.ModelConfig? config = null)
    {
        lock (_gate)
        {
            if (config is null)
            {
                _configs.Remove(model);
            }
            else
            {
                _configs[model] = config;
            }

            Retire(model, versions);
            var all = new Dictionary<string, IReadOnlyList<(string, string)>>(VersionsNow, StringComparer.Ordinal) { [model] = versions };
            _handedOut = [.. _handedOut, .. versions.Select(v => v.Served)];
            _now = new Snapshot(all, Reverse(all));
        }
    }

    /// <summary>Forgets <paramref name="model"/> (it was unloaded).</summary>
    /// <param name="model">The model's name.</param>
    public void Remove(string model)
    {
        lock (_gate)
        {
            Retire(model, []);
            var all = new Dictionary<string, IReadOnlyList<(string, string)>>(VersionsNow, StringComparer.Ordinal);
            all.Remove(model);
            _configs.Remove(model);
            _now = new Snapshot(all, Reverse(all));
        }
    }

    /// <summary>
    /// Forgets a generation's library model once the library removed it (it answered all it accepted): the names and
    /// versions kept for generations still draining hold only those, not every generation the server ever had.
    /// </summary>
    /// <param name="servedAs">The library model removed.</param>
    public void Forget(string servedAs)
    {
        lock (_gate)
        {
            if (ServedNow.ContainsKey(servedAs))
            {
                return; // serves again (never reused today; kept safe)
            }

            if (_retired.ContainsKey(servedAs))
            {
                var retired = new Dictionary<string, string>(_retired, StringComparer.Ordinal);
                retired.Remove(servedAs);
                _retired = retired;
            }

            if (_handedOut.Contains(servedAs))
            {
                _handedOut = [.. _handedOut.Where(n => n != servedAs)];
            }
        }
    }

    /// <summary>Keeps the versions of <paramref name="model"/>'s generations that <paramref name="next"/> no longer serves (under the gate).</summary>
    private void Retire(string model, IReadOnlyList<(string Version, string Served)> next)
    {
        var leaving = VersionsNow.GetValueOrDefault(model, []).Where(c => c.Version.Length > 0 && !next.Any(n => n.Served == c.Served)).ToList();
        if (leaving.Count > 0)
        {
            var retired = new Dictionary<string, string>(_retired, StringComparer.Ordinal);
            foreach (var (version, served) in leaving)
            {
                retired[served] = version;
            }

            _retired = retired;
        }
    }

    /// <summary>Records what the load log says about <paramref name="model"/>'s configuration.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="notes">The lines.</param>
    public void AddNotes(string model, IReadOnlyList<string> notes)
    {
        lock (_gate)
        {
            _notes[model] = notes;
        }
    }

    /// <summary>What the load log says about each repository model's configuration read at start (fields not served, delays mapped).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Notes
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, IReadOnlyList<string>>(_notes, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>A copy of <paramref name="model"/>'s Triton configuration, or null when it has none.</summary>
    /// <param name="model">The model's name.</param>
    /// <returns>The configuration or null.</returns>
    public Triton.Config.ModelConfig? ConfigOf(string model)
    {
        lock (_gate)
        {
            return _configs.TryGetValue(model, out var config) ? config.Clone() : null;
        }
    }

    /// <summary>The repository's models served now.</summary>
    public IReadOnlyCollection<string> Models => VersionsNow.Keys;

    /// <summary>The version a request reaches: the newest of <paramref name="model"/>, or the one a library model serves; null when it has none.</summary>
    /// <param name="model">The model's name, or the library's name of one of its versions (then that version).</param>
    /// <returns>The version or null.</returns>
    public string? Of(string model)
    {
        var now = _now;
        return (now.ByServedName.TryGetValue(model, out var served) ? served.Version
            : now.Versions.TryGetValue(model, out var versions) ? versions[0].Version
            : _retired.GetValueOrDefault(model)) is { Length: > 0 } version ? version : null;
    }

    /// <summary>Every version of <paramref name="model"/> served, newest first (empty when it has none).</summary>
    /// <param name="model">The model's name.</param>
    /// <returns>The versions.</returns>
    public IReadOnlyList<string> All(string model) =>
        VersionsNow.TryGetValue(model, out var list) ? [.. list.Select(v => v.Version).Where(v => v.Length > 0)] : [];

    /// <summary>Whether <paramref name="model"/> is a repository model served now.</summary>
    /// <param name="model">The model's name.</param>
    /// <returns>True when it is.</returns>
    public bool Serves(string model) => VersionsNow.ContainsKey(model);

    /// <summary>Every library model serving <paramref name="model"/>, newest first (empty when it is not a repository model).</summary>
    /// <param name="model">The model's name.</param>
    /// <returns>The library models' names.</returns>
    public IReadOnlyList<string> ServedAs(string model) => VersionsNow.TryGetValue(model, out var list) ? [.. list.Select(v => v.Served)] : [];

    /// <summary>
    /// The library's model serving <paramref name="version"/> of <paramref name="model"/>: the newest without a version;
    /// the model itself when it is not a repository model; null when that version is not served.
    /// </summary>
    /// <param name="model">The model's name.</param>
    /// <param name="version">The version asked for, or null/empty.</param>
    /// <returns>The library's model name, or null.</returns>
    public string? Resolve(string model, string? version)
    {
        if (!VersionsNow.TryGetValue(model, out var list))
        {
            return string.IsNullOrEmpty(version) ? model : null;
        }

        return string.IsNullOrEmpty(version) ? list[0].Served : list.FirstOrDefault(v => v.Version == version && v.Version.Length > 0).Served;
    }

    /// <summary>
    /// The names clients call among <paramref name="libraryNames"/>, sorted: each repository model once under its own
    /// name (its versions are library models named <c>name#g@v</c> inside, which no client uses), the library's other
    /// models as they are; a replaced or unloaded repository model still draining is left out.
    /// </summary>
    /// <param name="libraryNames">The library's models.</param>
    /// <returns>The names.</returns>
    public IReadOnlyList<string> PublicNames(IEnumerable<string> libraryNames)
    {
        var (now, handedOut) = (_now, _handedOut);
        return [.. libraryNames
            .Select(n => now.ByServedName.TryGetValue(n, out var served) ? served.Model : handedOut.Contains(n) || IsLoading(n) ? null : n)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// A repository model's generation still loading (<c>name#g</c> or <c>name#g@v</c>, see <see cref="ModelRepository"/>):
    /// in the library before it is served, so not a name any client calls.
    /// </summary>
    private static bool IsLoading(string libraryName) =>
        libraryName.LastIndexOf('#') is var hash and > 0
        && libraryName.AsSpan(hash + 1) is var rest
        && (rest.IndexOf('@') is var at && at >= 0 ? rest[..at] : rest) is { Length: > 0 } generation
        && int.TryParse(generation, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>The model and version (or "") a library model serves, or null when it is not a repository model's.</summary>
    /// <param name="servedAs">The library's model name.</param>
    /// <returns>The model and version, or null.</returns>
    public (string Model, string Version)? ServedBy(string servedAs) => ServedNow.TryGetValue(servedAs, out var served) ? served : null;

    private static Dictionary<string, (string, string)> Reverse(Dictionary<string, IReadOnlyList<(string Version, string Served)>> all) =>
        all.SelectMany(m => m.Value.Select(v => (v.Served, (m.Key, v.Version)))).ToDictionary(p => p.Served, p => p.Item2, StringComparer.Ordinal);

    private sealed record Snapshot(Dictionary<string, IReadOnlyList<(string Version, string Served)>> Versions, Dictionary<string, (string Model, string Version)> ByServedName);
}
