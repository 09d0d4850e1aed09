using Akka.Actor;
using Microsoft.Extensions.Configuration;
using ModelActors.Host.Server;

namespace ModelActors.Host.Triton;

/// <summary>
/// Loads, replaces and unloads the <c>--model-repository</c>'s models while the server runs, one operation at a time
/// (an actor: a load waits for the unload before it, a poll for both). A model is (re)loaded as a new set of library
/// models beside the old (<see cref="ModelLibrary.AddModelAsync"/>, then each loaded), named for a generation that only
/// goes up (a name is never reused); only when every version is ready do requests switch to it
/// (<see cref="ModelVersions.Set"/>), and the old set keeps accepting for <see cref="ServerOptions.ReplacedModelGrace"/>,
/// then drains what it accepted and stops (<see cref="ModelLibrary.RemoveModelAsync"/>). A failed load removes what it
/// added: the old set serves on, and the error is the model's reason in the index. Every operation answers, whatever
/// fails. In poll mode, a timer rescans the repository: a model folder that is new or changed
/// (<see cref="ModelRepository.Fingerprint"/>) is loaded, one removed is unloaded.
/// </summary>
internal sealed class RepositoryActor : ReceiveActor, IWithTimers
{
    private readonly ModelLibrary _library;
    private readonly ModelVersions _versions;
    private readonly RepositoryState _state;
    private readonly string _root;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, string> _fingerprints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _generations = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal); // loads under way, nested ones included: a cycle ends here

    public RepositoryActor(ModelLibrary library, ModelVersions versions, RepositoryState state, string root, ServerOptions options, ILogger logger)
    {
        (_library, _versions, _state, _root, _options, _logger) = (library, versions, state, root, options, logger);
        ReceiveAsync<LoadRepositoryModel>(async load => Sender.Tell(new RepositoryAnswer(await GuardAsync(load.Model, "load", () => LoadAsync(load.Model, load.Config)).ConfigureAwait(true))));
        ReceiveAsync<UnloadRepositoryModel>(async unload => Sender.Tell(new RepositoryAnswer(await GuardAsync(unload.Model, "unload", () => UnloadAsync(unload.Model, unload.Dependents)).ConfigureAwait(true))));
        ReceiveAsync<PollRepository>(_ => GuardAsync(string.Empty, "poll", PollAsync));
        ReceiveAsync<RetireModels>(retire => RetireAsync(retire.Names));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private bool _rootGone;

    private bool Polling => _options.ModelControlMode == ModelControlMode.Poll;

    protected override void PreStart()
    {
        if (!Polling)
        {
            return;
        }

        // What the server loaded at start is what the folders hold now: a poll reloads only what changes after.
        foreach (var name in ModelRepository.ModelNames(_root))
        {
            _fingerprints[name] = Fingerprint(name);
        }

        var every = TimeSpan.FromSeconds(Math.Max(1, _options.RepositoryPollSecs));
        Timers.StartPeriodicTimer(PollRepository.Instance, PollRepository.Instance, every);
    }

    /// <summary>Runs an operation so that it always answers: an unexpected error (a file gone mid-copy, a timeout) is its error, and the model's reason in the index.</summary>
    private async Task<string?> GuardAsync(string model, string verb, Func<Task<string?>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(true);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var message = model.Length > 0 ? $"failed to {verb} '{model}': {exception.Message}" : $"failed to {verb} the repository {_root}: {exception.Message}";
            if (model.Length > 0)
            {
                _state.Failed(model, message);
            }

            _logger.LogError(exception, "{Error}", message);
            return message;
        }
    }

    private async Task GuardAsync(string model, string verb, Func<Task> operation) =>
        await GuardAsync(model, verb, async () =>
        {
            await operation().ConfigureAwait(true);
            return null;
        }).ConfigureAwait(true);

    private async Task<string?> LoadAsync(string model, Config.ModelConfig? config)
    {
        if (!_inProgress.Add(model))
        {
            return $"failed to load '{model}': it is already being loaded (an ensemble that uses itself, through its steps?).";
        }

        try
        {
            return await LoadCoreAsync(model, config).ConfigureAwait(true);
        }
        finally
        {
            _inProgress.Remove(model);
        }
    }

    private async Task<string?> LoadCoreAsync(string model, Config.ModelConfig? config)
    {
        _state.Loading(model);
        if (Polling)
        {
            _fingerprints[model] = Fingerprint(model); // what this load read: a poll reloads only a later change
        }

        var generation = _generations.GetValueOrDefault(model) + 1; // 0 is the start's; a name is never used twice
        RepositoryModel read;
        while (true)
        {
            try
            {
                read = ModelRepository.Read(_root, model, generation, config, ResolveStep);
                break;
            }
            catch (StepNotServedException missing) when (!_versions.Serves(missing.Model) && !_inProgress.Contains(missing.Model) && ModelRepository.ModelNames(_root).Contains(missing.Model))
            {
                // An ensemble loads the models of its steps first (as Triton); a step served at another version is an error.
                if (await LoadAsync(missing.Model, null).ConfigureAwait(true) is { } error)
                {
                    return Failed(model, error);
                }
            }
            catch (StepNotServedException missing) when (_inProgress.Contains(missing.Model))
            {
                return Failed(model, $"ensembles whose steps use each other form a cycle: '{model}' needs '{missing.Model}', which is itself being loaded for it.");
            }
            catch (FormatException exception)
            {
                return Failed(model, exception.Message);
            }
        }

        _generations[model] = generation;
        foreach (var note in read.Notes)
        {
            _logger.LogWarning("Model '{Model}': {Note}", model, note);
        }

        var added = new List<string>();
        try
        {
            foreach (var (servedAs, keys) in read.Settings)
            {
                await _library.AddModelAsync(servedAs, new ConfigurationBuilder().AddInMemoryCollection(keys).Build()).ConfigureAwait(true);
                added.Add(servedAs);
            }

            foreach (var servedAs in added)
            {
                await _library.LoadModelAsync(servedAs).ConfigureAwait(true);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            foreach (var servedAs in added)
            {
                await RemoveQuietlyAsync(servedAs).ConfigureAwait(true);
            }

            return Failed(model, exception.Message);
        }

        // The switch: requests resolve to the new set from here on; the old one serves what found it before.
        var old = _versions.ServedAs(model).Concat(_library.ModelNames.Contains(model) ? [model] : []).Except(read.Settings.Keys).Distinct().ToList();
        _versions.Set(model, read.Versions, read.Config);
        _state.Loaded(model);
        _logger.LogInformation("Model '{Model}' loaded (versions: {Versions})", model, string.Join(", ", read.Versions.Select(v => v.Version.Length == 0 ? "-" : v.Version)));

        // Ensembles that used the old set now use the new one (reloaded the same way), so the old set can go.
        var ensembles = _library.Describe()
            .Where(d => d.Dependencies.Values.Any(old.Contains))
            .Select(d => _versions.ServedBy(d.Name)?.Model)
            .OfType<string>()
            .Where(e => !_inProgress.Contains(e))
            .Distinct()
            .ToList();
        foreach (var ensemble in ensembles)
        {
            if (await LoadAsync(ensemble, null).ConfigureAwait(true) is { } error)
            {
                _logger.LogError("Ensemble '{Ensemble}' still uses the replaced '{Model}': {Error}", ensemble, model, error);
            }
        }

        if (old.Count > 0)
        {
            Retire(old);
        }

        return null;
    }

    private async Task<string?> UnloadAsync(string model, bool dependents)
    {
        if (!_versions.Serves(model) && !ModelRepository.ModelNames(_root).Contains(model, StringComparer.Ordinal))
        {
            // Only the repository's models come and go at run time; a model of the server's configuration stays.
            return _library.ModelNames.Contains(model)
                ? $"failed to unload '{model}': it is not a model of the repository (it comes from the server's configuration); only the repository's models are loaded and unloaded at run time."
                : $"failed to unload '{model}': the repository has no model of that name.";
        }

        var served = _versions.ServedAs(model).Concat(_library.ModelNames.Contains(model) ? [model] : []).Distinct().ToList();
        var users = _library.Describe()
            .Where(d => !served.Contains(d.Name) && d.Dependencies.Values.Any(served.Contains))
            .Select(d => _versions.ServedBy(d.Name)?.Model ?? d.Name)
            .Distinct()
            .ToList();
        if (users.Count > 0 && !dependents)
        {
            return $"failed to unload '{model}': {string.Join(", ", users.Select(u => $"'{u}'"))} use{(users.Count == 1 ? "s" : string.Empty)} it; unload {(users.Count == 1 ? "it" : "them")} first, or pass unload_dependents: true.";
        }

        foreach (var user in users.Where(u => u != model))
        {
            if (await UnloadAsync(user, dependents: true).ConfigureAwait(true) is { } error)
            {
                return error;
            }
        }

        _state.Unloading(model);
        _versions.Remove(model);
        foreach (var name in served)
        {
            await RemoveQuietlyAsync(name).ConfigureAwait(true);
        }

        _state.Unloaded(model);
        _logger.LogInformation("Model '{Model}' unloaded", model);
        return null;
    }

    private async Task PollAsync()
    {
        // A folder gone (a volume unmounted, a move) is said once, not on every poll, and unloads nothing: the models
        // loaded from it serve on, and polling resumes when it is back.
        if (!Directory.Exists(_root))
        {
            if (!_rootGone)
            {
                _rootGone = true;
                _logger.LogWarning("The model repository {Root} is gone (no such folder): the models loaded from it serve on; polling waits for it", _root);
            }

            return;
        }

        if (_rootGone)
        {
            _rootGone = false;
            _logger.LogInformation("The model repository {Root} is back: polling it again", _root);
        }

        var present = ModelRepository.ModelNames(_root);
        foreach (var name in present)
        {
            if (_fingerprints.GetValueOrDefault(name) != Fingerprint(name) && await GuardAsync(name, "load", () => LoadAsync(name, null)).ConfigureAwait(true) is { } error)
            {
                _logger.LogError("Poll: {Error}", error);
            }
        }

        foreach (var gone in _versions.Models.Concat(_fingerprints.Keys).Except(present).Distinct().ToList())
        {
            _fingerprints.Remove(gone);
            if (await GuardAsync(gone, "unload", () => UnloadAsync(gone, dependents: true)).ConfigureAwait(true) is { } error)
            {
                _logger.LogError("Poll: {Error}", error);
            }

            _state.Forget(gone);
        }
    }

    private async Task RetireAsync(IReadOnlyList<string> names)
    {
        var later = new List<string>();
        var removed = new List<string>();
        foreach (var name in names.Where(n => _versions.ServedBy(n) is null)) // never what serves now
        {
            try
            {
                if (await RemoveAndForgetAsync(name).ConfigureAwait(true))
                {
                    removed.Add(name);
                }
            }
            catch (ModelDependencyException)
            {
                later.Add(name); // an old ensemble still uses it until its own grace has passed
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                _logger.LogError(exception, "A replaced model version ('{Name}') was not removed", name);
            }
        }

        if (removed.Count > 0)
        {
            _logger.LogInformation("Replaced model versions drained and removed: {Names}", string.Join(", ", removed));
        }

        if (later.Count > 0)
        {
            Retire(later);
        }
    }

    /// <summary>Removes a library model, logging (not throwing) what goes wrong: a rollback or an unload goes on with the others.</summary>
    private async Task RemoveQuietlyAsync(string name)
    {
        try
        {
            await RemoveAndForgetAsync(name).ConfigureAwait(true);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _logger.LogError(exception, "Model '{Name}' was not removed", name);
        }
    }

    /// <summary>
    /// Removes a library model (it drains first) and forgets the names its generation was given; false when it was gone
    /// already (an unload came first). Any other failure is thrown, and nothing is forgotten.
    /// </summary>
    private async Task<bool> RemoveAndForgetAsync(string name)
    {
        bool removed;
        try
        {
            await _library.RemoveModelAsync(name).ConfigureAwait(true);
            removed = true;
        }
        catch (ModelNotFoundException)
        {
            removed = false;
        }

        _versions.Forget(name);
        return removed;
    }

    private string? ResolveStep(string step, string? version) => _versions.Serves(step) ? _versions.Resolve(step, version) : null;

    private string Fingerprint(string name)
    {
        try
        {
            return ModelRepository.Fingerprint(_root, name);
        }
        catch (IOException)
        {
            return string.Empty; // a folder changing under the scan: the next poll sees it settled
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private void Retire(IReadOnlyList<string> names) =>
        Timers.StartSingleTimer("retire-" + string.Join(",", names), new RetireModels(names), _options.ReplacedModelGrace);

    private string Failed(string model, string error)
    {
        var message = error.StartsWith($"failed to load '{model}'", StringComparison.Ordinal) ? error : $"failed to load '{model}': {error}";
        _state.Failed(model, message);
        _logger.LogError("{Error}", message);
        return message;
    }
}
