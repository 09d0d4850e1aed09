using System.Reflection;
using Akka.Actor;
using Microsoft.Extensions.Configuration;
using ModelActors.Actors;
using ModelActors.Models;

namespace ModelActors;

/// <summary>Models added and removed while the library runs (a server's model repository loading and unloading models).</summary>
public sealed partial class ModelLibrary
{
    private static readonly TimeSpan ActorAnswerTimeout = TimeSpan.FromSeconds(30);
    private readonly object _changes = new();
    private readonly SemaphoreSlim _changing = new(1, 1); // one add or remove at a time: each validates against the models of the last
    private readonly IReadOnlyList<Assembly> _modelAssemblies;

    /// <summary>
    /// Adds model <paramref name="name"/> while the library runs, configured as a model under <c>Models:{name}</c> of the
    /// library's configuration is (<c>Type</c> — a model class of the assemblies the builder was given —, <c>AssetPath</c>,
    /// <c>Replicas</c>, <c>MaxBatchSize</c>, <c>Dependencies</c> on models already registered, <c>Settings</c>, …). Its actor
    /// starts at once; it loads on its first request or on <see cref="LoadModelAsync"/>.
    /// </summary>
    /// <param name="name">The model's name, not registered yet.</param>
    /// <param name="configuration">The model's configuration section.</param>
    /// <param name="cancellationToken">Stops waiting for another add or remove to finish first.</param>
    /// <returns>A task that completes when the model is registered.</returns>
    /// <exception cref="ModelRegistrationException">The name is taken, or the configuration is not valid (every problem is listed).</exception>
    /// <exception cref="ModelStoppedException">The library is stopping.</exception>
    public async Task AddModelAsync(string name, IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configuration);
        await _changing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfStopping(name);
            var errors = new List<string>();
            if (_entries.ContainsKey(name))
            {
                throw new ModelRegistrationException([$"Model '{name}' is already registered."]);
            }

            var options = new ModelOptions();
            configuration.Bind(options);
            var registration = new ModelRegistration(name, null, options, null, $"AddModelAsync('{name}')")
            {
                TypeName = options.Type,
                SettingsSection = configuration.GetSection("Settings"),
            };
            var definitions = new Dictionary<string, ModelDefinition>(_definitions, StringComparer.Ordinal);
            if (registration.ToDefinition(_modelAssemblies, errors) is { } definition)
            {
                definitions[name] = definition;
                DependencyGraph.Validate(definitions, errors);
            }

            if (errors.Count > 0)
            {
                throw new ModelRegistrationException(errors);
            }

            var entry = CreateEntry(definitions[name]);
            try
            {
                await _libraryActor.Ask<ModelsStarted>(new StartModels([entry]), ActorAnswerTimeout).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is InvalidActorNameException or AskTimeoutException)
            {
                _libraryActor.Tell(new RemoveModels([name])); // in case its actor started after all
                throw new ModelRegistrationException([$"Model '{name}' could not start its actor: {exception.Message}"]);
            }
            lock (_changes)
            {
                _definitions = definitions;
                _entries = new Dictionary<string, ModelEntry>(_entries, StringComparer.Ordinal) { [name] = entry };
            }
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>
    /// Removes model <paramref name="name"/> while the library runs: it refuses new requests at once, drains the ones it
    /// accepted (within <see cref="ModelLibraryOptions.DrainTimeout"/>; what is left then fails with
    /// <see cref="ModelStoppedException"/>), stops its replicas and actor, and is no longer known.
    /// </summary>
    /// <param name="name">The model's name.</param>
    /// <param name="cancellationToken">Cuts the drain short.</param>
    /// <returns>A task that completes when the model is gone.</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    /// <exception cref="ModelDependencyException">Other models depend on it (or fall back to it); the message names them.</exception>
    /// <exception cref="ModelStoppedException">The library is stopping.</exception>
    public async Task RemoveModelAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await _changing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfStopping(name);
            var entry = Entry(name);
            var dependents = _definitions.Values
                .Where(d => d.Name != name && (d.Dependencies.Values.Contains(name, StringComparer.Ordinal) || d.Fallback == name))
                .Select(d => d.Name)
                .Order(StringComparer.Ordinal)
                .ToList();
            if (dependents.Count > 0)
            {
                throw new ModelDependencyException($"Model '{name}' cannot be removed: {string.Join(", ", dependents.Select(d => $"'{d}'"))} depend{(dependents.Count == 1 ? "s" : string.Empty)} on it; remove {(dependents.Count == 1 ? "it" : "them")} first.");
            }

            using (var drain = new CancellationTokenSource(Options.DrainTimeout, TimeProvider))
            using (cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), drain))
            {
                await entry.StopAsync(drain.Token).ConfigureAwait(false);
            }

            await _libraryActor.Ask<ModelsRemoved>(new RemoveModels([name]), ActorAnswerTimeout).ConfigureAwait(false);
            lock (_changes)
            {
                var entries = new Dictionary<string, ModelEntry>(_entries, StringComparer.Ordinal);
                entries.Remove(name);
                var definitions = new Dictionary<string, ModelDefinition>(_definitions, StringComparer.Ordinal);
                definitions.Remove(name);
                _entries = entries;
                _definitions = definitions;
            }
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>Waits until no add or remove is under way (the library's stop calls it once its stop task is set: none starts after).</summary>
    private async Task WhenChangesDoneAsync()
    {
        await _changing.WaitAsync().ConfigureAwait(false);
        _changing.Release();
    }

    private void ThrowIfStopping(string name)
    {
        lock (_changes)
        {
            if (_stopTask is not null)
            {
                throw new ModelStoppedException(name, "the library is stopping.");
            }
        }
    }
}
