using System.Reflection;
using Akka.Actor;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelActors.Models;

namespace ModelActors;

/// <summary>
/// Registers model configurations from code, by assembly scan and from configuration, then
/// <see cref="Build"/> validates them all together and makes the <see cref="ModelLibrary"/>.
/// </summary>
public sealed class ModelLibraryBuilder
{
    private readonly List<string> _bindErrors = []; // keys of bound configuration that no setting reads
    private readonly List<ModelRegistration> _registrations = [];
    private readonly List<Assembly> _assemblies = [];
    private readonly List<Action<ModelLibraryOptions>> _configure = [];
    private readonly List<Action<Akka.Hosting.AkkaConfigurationBuilder, IReadOnlyCollection<string>>> _akka = [];
    private IServiceProvider? _services;
    private ILoggerFactory? _loggerFactory;
    private TimeProvider? _timeProvider;
    private ActorSystem? _actorSystem;

    /// <summary>Registers every <see cref="ModelConfigurationAttribute"/> on <typeparamref name="TModel"/>.</summary>
    /// <typeparam name="TModel">A model class carrying at least one <see cref="ModelConfigurationAttribute"/>.</typeparam>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder AddModel<TModel>()
        where TModel : class => AddModel(typeof(TModel));

    /// <summary>Registers every <see cref="ModelConfigurationAttribute"/> on <paramref name="modelType"/>.</summary>
    /// <param name="modelType">A model class carrying at least one <see cref="ModelConfigurationAttribute"/>.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder AddModel(Type modelType)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        _assemblies.Add(modelType.Assembly);
        var attributes = modelType.GetCustomAttributes<ModelConfigurationAttribute>(inherit: false).ToList();
        if (attributes.Count == 0)
        {
            _registrations.Add(new ModelRegistration(modelType.Name, modelType, null, null, $"class {modelType.Name}")
            {
                Error = $"Class {modelType.FullName} has no [ModelConfiguration]; give it one or register it with AddModel<T>(name, ...).",
            });
        }

        foreach (var attribute in attributes)
        {
            _registrations.Add(new ModelRegistration(attribute.Name, modelType, ModelRegistration.FromAttribute(attribute), null, $"[ModelConfiguration] on {modelType.Name}"));
        }

        return this;
    }

    /// <summary>Registers <typeparamref name="TModel"/> under <paramref name="name"/>, configured in code.</summary>
    /// <typeparam name="TModel">The model class.</typeparam>
    /// <param name="name">The model's name, unique in the library.</param>
    /// <param name="configure">Sets the configuration (dependencies, settings, replicas...).</param>
    /// <param name="factory">Makes each replica's instance; by default the class is constructed through dependency injection.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder AddModel<TModel>(string name, Action<ModelOptions>? configure = null, Func<IServiceProvider, TModel>? factory = null)
        where TModel : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new ModelOptions();
        configure?.Invoke(options);
        _assemblies.Add(typeof(TModel).Assembly);
        _registrations.Add(new ModelRegistration(name, typeof(TModel), options, factory, "code"));
        return this;
    }

    /// <summary>Registers every class in <paramref name="assembly"/> that carries <see cref="ModelConfigurationAttribute"/>, and lets configuration name its model classes.</summary>
    /// <param name="assembly">The assembly to scan.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder AddModelsFromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        _assemblies.Add(assembly);
        foreach (var type in assembly.GetTypes().Where(t => t.IsDefined(typeof(ModelConfigurationAttribute), inherit: false)).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            AddModel(type);
        }

        return this;
    }

    /// <summary>Lets configuration name model classes in <paramref name="assembly"/> without registering its attributes.</summary>
    /// <param name="assembly">An assembly holding model classes.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder AddModelTypesFrom(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        _assemblies.Add(assembly);
        return this;
    }

    /// <summary>
    /// Reads library options and models from a configuration section (usually <c>ModelActors</c>):
    /// the options as properties of the section, and each model under <c>Models:{name}</c> with its
    /// class named by <c>Type</c>.
    /// </summary>
    /// <param name="section">The section.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder Bind(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        _configure.Add(options => section.Bind(options));
        var where = section is IConfigurationSection { Path: { Length: > 0 } path } ? $"configuration '{path}'" : "configuration";
        _bindErrors.AddRange(ConfigurationKeys.Unknown(section, typeof(ModelLibraryOptions), $"The library's {where}", "Models", "Cluster"));
        foreach (var model in section.GetSection("Models").GetChildren())
        {
            var options = new ModelOptions();
            model.Bind(options);
            var source = model is IConfigurationSection s ? $"configuration '{s.Path}'" : "configuration";
            _bindErrors.AddRange(ConfigurationKeys.Unknown(model, typeof(ModelOptions), $"Model '{model.Key}' ({source})"));
            _registrations.Add(new ModelRegistration(model.Key, null, options, null, source)
            {
                TypeName = options.Type,
                SettingsSection = model.GetSection("Settings"),
            });
        }

        return this;
    }

    /// <summary>Changes library options in code.</summary>
    /// <param name="configure">Sets options.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder Configure(Action<ModelLibraryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add(configure);
        return this;
    }

    /// <summary>
    /// Adds Akka settings the library needs from its actor system (ModelActors.Cluster's <c>UseCluster</c> makes the system
    /// a cluster node this way): applied, with the registered models' names, to the Akka.Hosting builder of the system the
    /// library runs in when Akka.Hosting sets it up for it (<c>WithModelActors</c>, or <c>AddModelActors</c> without an
    /// <c>AddAkka</c> of the application's own). An actor system made otherwise must have them already.
    /// </summary>
    /// <param name="configure">Configures the Akka.Hosting builder; its second argument is the registered models' names.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder ConfigureAkka(Action<Akka.Hosting.AkkaConfigurationBuilder, IReadOnlyCollection<string>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _akka.Add(configure);
        return this;
    }

    /// <summary>Applies what <see cref="ConfigureAkka"/> added to <paramref name="akka"/>.</summary>
    internal void ApplyAkka(Akka.Hosting.AkkaConfigurationBuilder akka, IReadOnlyCollection<string> models)
    {
        foreach (var configure in _akka)
        {
            configure(akka, models);
        }
    }

    /// <summary>The services models are constructed from (and find in <see cref="ModelContext.Services"/>).</summary>
    /// <param name="services">The application's service provider.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder UseServices(IServiceProvider services)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
        return this;
    }

    /// <summary>Where the library and models log.</summary>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        return this;
    }

    /// <summary>
    /// The clock for request deadlines, batching delays, retry hints and statistics (a manual one in tests). Load retries
    /// wait on the model actor's Akka timer, on Akka's scheduler: <c>ModelActorsTestKit</c> drives both clocks together.
    /// </summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        return this;
    }

    /// <summary>
    /// Puts the library's actors into <paramref name="system"/> (the user's own, e.g. a TestKit's or one
    /// started by Akka.Hosting) instead of an actor system of its own. Disposing the library then stops
    /// its actors and leaves the system running.
    /// </summary>
    /// <param name="system">A running actor system.</param>
    /// <returns>This builder.</returns>
    public ModelLibraryBuilder UseActorSystem(ActorSystem system)
    {
        _actorSystem = system ?? throw new ArgumentNullException(nameof(system));
        return this;
    }

    /// <summary>
    /// Hosting's defaults: the host's services, logger factory and clock (each only where the user set
    /// none) and the host's actor system.
    /// </summary>
    internal ModelLibraryBuilder UseHost(IServiceProvider services, ActorSystem system)
    {
        _services ??= services;
        _loggerFactory ??= services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
        _timeProvider ??= services.GetService(typeof(TimeProvider)) as TimeProvider;
        _actorSystem = system;
        return this;
    }

    /// <summary>Validates every configuration together and makes the library (nothing is loaded yet).</summary>
    /// <returns>The library.</returns>
    /// <exception cref="ModelRegistrationException">Something is inconsistent; every problem is listed.</exception>
    public ModelLibrary Build()
    {
        var (options, definitions) = BuildDefinitions();
        return new ModelLibrary(
            definitions,
            options,
            _services ?? EmptyServices.Instance,
            _loggerFactory ?? NullLoggerFactory.Instance,
            _timeProvider ?? TimeProvider.System,
            _actorSystem,
            [.. _assemblies.Distinct()]);
    }

    /// <summary>The validated options and definitions (also used by hosting to register keyed clients).</summary>
    internal (ModelLibraryOptions Options, IReadOnlyDictionary<string, ModelDefinition> Definitions) BuildDefinitions()
    {
        var options = new ModelLibraryOptions();
        foreach (var configure in _configure)
        {
            configure(options);
        }

        var errors = new List<string>(_bindErrors);
        ValidateOptions(options, errors);
        var definitions = new Dictionary<string, ModelDefinition>(StringComparer.Ordinal);
        foreach (var group in _registrations.GroupBy(r => r.Name, StringComparer.Ordinal))
        {
            var all = group.ToList();
            if (all.Count > 1)
            {
                errors.Add($"Model name '{group.Key}' is registered {all.Count} times: {string.Join("; ", all.Select(r => r.Source))}.");
                continue;
            }

            if (all[0].ToDefinition(_assemblies, errors) is { } definition)
            {
                definitions.Add(definition.Name, definition);
            }
        }

        DependencyGraph.Validate(definitions, errors);
        foreach (var required in options.RequiredModels.Where(r => !definitions.ContainsKey(r)))
        {
            errors.Add($"Required model '{required}' is not registered.{NameSuggester.Hint(required, definitions.Keys)}");
        }

        if (errors.Count > 0)
        {
            throw new ModelRegistrationException(errors);
        }

        return (options, definitions);
    }

    private static void ValidateOptions(ModelLibraryOptions options, List<string> errors)
    {
        if (options.DefaultTimeout <= TimeSpan.Zero)
        {
            errors.Add($"DefaultTimeout must be positive and finite (was {ModelRegistration.Describe(options.DefaultTimeout)}).");
        }

        if (options.DefaultQueueCapacity < 1)
        {
            errors.Add($"DefaultQueueCapacity must be at least 1 (was {options.DefaultQueueCapacity}).");
        }

        if (string.IsNullOrWhiteSpace(options.ActorName) || !ActorPath.IsValidPathElement(options.ActorName))
        {
            errors.Add($"ActorName '{options.ActorName}' is not a valid Akka actor name.");
        }

        if (options.LoadRetries < 0 || options.LoadMinBackoff < TimeSpan.Zero || options.LoadMaxBackoff < options.LoadMinBackoff)
        {
            errors.Add("LoadRetries must be 0 or more and LoadMinBackoff ≤ LoadMaxBackoff, both non-negative.");
        }
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
