using System.Collections.Concurrent;
using ModelActors.Host.Server;

namespace ModelActors.Host.Triton;

/// <summary>
/// What the repository index tells beside the served versions' own states: a model being loaded or unloaded, and why
/// one is not served (its last load's error, or "unloaded"). Written by <see cref="RepositoryActor"/>, read by requests.
/// </summary>
public sealed class RepositoryState
{
    private readonly ConcurrentDictionary<string, (string State, string Reason)> _models = new(StringComparer.Ordinal);

    /// <summary>A load of <paramref name="model"/> began.</summary>
    public void Loading(string model) => _models[model] = ("LOADING", string.Empty);

    /// <summary><paramref name="model"/> is served: its versions tell their state.</summary>
    public void Loaded(string model) => _models.TryRemove(model, out _);

    /// <summary>A load of <paramref name="model"/> failed (what served it before, if anything, serves on).</summary>
    public void Failed(string model, string reason) => _models[model] = ("UNAVAILABLE", reason);

    /// <summary>An unload of <paramref name="model"/> began.</summary>
    public void Unloading(string model) => _models[model] = ("UNLOADING", string.Empty);

    /// <summary><paramref name="model"/> was unloaded.</summary>
    public void Unloaded(string model) => _models[model] = ("UNAVAILABLE", "unloaded");

    /// <summary><paramref name="model"/>'s folder is gone: it is no longer listed.</summary>
    public void Forget(string model) => _models.TryRemove(model, out _);

    /// <summary>
    /// The index: every model folder of <paramref name="root"/> (and every model served), each served version with its
    /// state, a model not served with why; only the ready versions when <paramref name="readyOnly"/>.
    /// </summary>
    public IReadOnlyList<RepositoryIndexEntry> Index(string root, ModelLibrary library, ModelVersions versions, bool readyOnly)
    {
        var entries = new List<RepositoryIndexEntry>();
        var known = library.ModelNames.ToHashSet(StringComparer.Ordinal);
        foreach (var model in ModelRepository.ModelNames(root).Union(versions.Models).Order(StringComparer.Ordinal))
        {
            var pending = _models.TryGetValue(model, out var p) ? p : ((string State, string Reason)?)null;
            var served = versions.Serves(model)
                ? versions.ServedAs(model).Select(s => (Version: versions.ServedBy(s)?.Version ?? string.Empty, Name: s)).ToList()
                : known.Contains(model) ? [(string.Empty, model)] : [];
            if (served.Count == 0 || pending is { State: "LOADING" or "UNLOADING" })
            {
                var (state, reason) = pending ?? ("UNAVAILABLE", "not loaded");
                entries.Add(new RepositoryIndexEntry(model, string.Empty, state, reason));
                continue;
            }

            foreach (var (version, name) in served.Where(s => known.Contains(s.Name)))
            {
                var d = library.Describe(name);
                var (state, reason) = d.State switch
                {
                    ModelState.Ready => ("READY", pending?.Reason ?? string.Empty),
                    ModelState.Loading or ModelState.NotLoaded => ("LOADING", string.Empty),
                    ModelState.Stopping or ModelState.Stopped => ("UNLOADING", string.Empty),
                    _ => ("UNAVAILABLE", d.Error ?? "failed to load"),
                };
                entries.Add(new RepositoryIndexEntry(model, version, state, reason));
            }
        }

        return readyOnly ? [.. entries.Where(e => e.State == "READY")] : entries;
    }
}
