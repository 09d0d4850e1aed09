using Microsoft.Extensions.Configuration;

namespace ModelActors.Models;

/// <summary>
/// The runtime side of one replica's <see cref="ModelContext"/>: settings binding and dependency lookup; its dependency
/// clients pass the replica's current call deadline (<paramref name="call"/>) on.
/// </summary>
internal sealed class ModelContextHost<TItem, TResult>(ModelDefinition definition, ModelLibrary library, ReplicaCall call) : IModelContextHost, IModelLibraryHost
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Key, bool Sync), object> _clients = new();

    public IReadOnlyCollection<string> DependencyKeys => [.. definition.Dependencies.Keys];

    /// <summary>The library the model belongs to.</summary>
    public ModelLibrary Library => library;

    public TSettings BindSettings<TSettings>()
        where TSettings : class, new()
    {
        try
        {
            return definition.Settings.Get<TSettings>(o => o.ErrorOnUnknownConfiguration = true) ?? new TSettings();
        }
        catch (InvalidOperationException exception)
        {
            throw new ModelRegistrationException([$"Model '{definition.Name}': its settings do not bind to {typeof(TSettings).Name}: {exception.Message}"]);
        }
    }

    public string? GetSetting(string key) => definition.Settings[key];

    public IModelClient<TIn, TOut> Dependency<TIn, TOut>(string key)
    {
        var target = Resolve<TIn, TOut>(key);
        return (IModelClient<TIn, TOut>)_clients.GetOrAdd((key, false), _ => new ModelClient<TIn, TOut>((ModelEntry<TIn, TOut>)library.Entry(target), call));
    }

    public ISyncModelClient<TIn, TOut> SyncDependency<TIn, TOut>(string key)
    {
        var target = Resolve<TIn, TOut>(key);
        return (ISyncModelClient<TIn, TOut>)_clients.GetOrAdd((key, true), _ => new SyncModelClient<TIn, TOut>((ModelEntry<TIn, TOut>)library.Entry(target), call));
    }

    private string Resolve<TIn, TOut>(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!definition.Dependencies.TryGetValue(key, out var target))
        {
            var declared = definition.Dependencies.Count == 0 ? "none" : string.Join(", ", definition.Dependencies.Keys.Select(k => $"'{k}'"));
            throw new ModelDependencyException(
                $"Model '{definition.Name}' asked for dependency '{key}', which its configuration does not declare.{NameSuggester.Hint(key, definition.Dependencies.Keys)} Declared: {declared}.");
        }

        var dependency = library.Entry(target).Definition;
        if (dependency.ItemType != typeof(TIn) || dependency.ResultType != typeof(TOut))
        {
            throw new ModelTypeMismatchException(
                $"Model '{definition.Name}' asked for dependency '{key}' (model '{target}') as {typeof(TIn).Name} -> {typeof(TOut).Name}, but '{target}' takes {dependency.ItemType.Name} and returns {dependency.ResultType.Name}.");
        }

        return target;
    }
}

/// <summary>A context host that knows its library (every one the runtime makes).</summary>
internal interface IModelLibraryHost
{
    /// <summary>The library.</summary>
    ModelLibrary Library { get; }
}
