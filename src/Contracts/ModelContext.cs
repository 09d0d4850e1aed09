using Microsoft.Extensions.Logging;

namespace ModelActors;

/// <summary>
/// What a model receives when it loads: its configuration name, typed settings, asset path,
/// dependencies (by the key the configuration gives them), a logger, the application's services and the clock.
/// </summary>
public sealed class ModelContext
{
    private readonly IModelContextHost _host;

    internal ModelContext(IModelContextHost host, string name, string? assetPath, int replica, ILogger logger, IServiceProvider services, TimeProvider timeProvider)
    {
        _host = host;
        Name = name;
        AssetPath = assetPath;
        Replica = replica;
        Logger = logger;
        Services = services;
        TimeProvider = timeProvider;
    }

    /// <summary>The runtime behind this context (read by the runtime's own extensions).</summary>
    internal IModelContextHost Host => _host;

    /// <summary>The configuration name this replica serves (one class may serve several names).</summary>
    public string Name { get; }

    /// <summary>The asset path the configuration gives (a file or a folder), or <see langword="null"/> when it gives none.</summary>
    public string? AssetPath { get; }

    /// <summary>The index of the replica being loaded, from 0.</summary>
    public int Replica { get; }

    /// <summary>A logger whose category is the model's name.</summary>
    public ILogger Logger { get; }

    /// <summary>The application's services (constructor injection is also available to model classes).</summary>
    public IServiceProvider Services { get; }

    /// <summary>The clock: use it rather than <see cref="DateTime.UtcNow"/> so that tests can drive time.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The dependency keys this configuration declares.</summary>
    public IReadOnlyCollection<string> DependencyKeys => _host.DependencyKeys;

    /// <summary>Binds the configuration's settings to <typeparamref name="TSettings"/>.</summary>
    /// <typeparam name="TSettings">A class with settable properties named like the settings keys.</typeparam>
    /// <returns>The bound settings; a new instance with its defaults when the configuration gives none.</returns>
    public TSettings GetSettings<TSettings>()
        where TSettings : class, new() => _host.BindSettings<TSettings>();

    /// <summary>The raw settings value for <paramref name="key"/>, or <see langword="null"/>.</summary>
    /// <param name="key">The settings key (nested keys separated by ':').</param>
    /// <returns>The value, or <see langword="null"/> when absent.</returns>
    public string? GetSetting(string key) => _host.GetSetting(key);

    /// <summary>A client for the dependency declared under <paramref name="key"/>, for async code.</summary>
    /// <typeparam name="TIn">The dependency's item type.</typeparam>
    /// <typeparam name="TOut">The dependency's result type.</typeparam>
    /// <param name="key">The key the configuration declares (the left side of <c>"key=name"</c>, or the name itself).</param>
    /// <returns>A client that asks the dependency's actors.</returns>
    /// <exception cref="ModelDependencyException">The key is not declared, or the types differ from the dependency's own.</exception>
    public IModelClient<TIn, TOut> Dependency<TIn, TOut>(string key) => _host.Dependency<TIn, TOut>(key);

    /// <summary>A blocking client for the dependency declared under <paramref name="key"/>: the sync gateway, for sync models.</summary>
    /// <typeparam name="TIn">The dependency's item type.</typeparam>
    /// <typeparam name="TOut">The dependency's result type.</typeparam>
    /// <param name="key">The key the configuration declares.</param>
    /// <returns>A client whose calls block the calling thread until the dependency answers.</returns>
    /// <exception cref="ModelDependencyException">The key is not declared, or the types differ from the dependency's own.</exception>
    public ISyncModelClient<TIn, TOut> SyncDependency<TIn, TOut>(string key) => _host.SyncDependency<TIn, TOut>(key);
}

/// <summary>The runtime's side of a <see cref="ModelContext"/>.</summary>
internal interface IModelContextHost
{
    IReadOnlyCollection<string> DependencyKeys { get; }

    TSettings BindSettings<TSettings>()
        where TSettings : class, new();

    string? GetSetting(string key);

    IModelClient<TIn, TOut> Dependency<TIn, TOut>(string key);

    ISyncModelClient<TIn, TOut> SyncDependency<TIn, TOut>(string key);
}
