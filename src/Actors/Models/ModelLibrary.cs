using Akka;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using ModelActors.Actors;
using ModelActors.Models;

namespace ModelActors;

/// <summary>
/// The registered models and their actors. Loads required models and their dependencies in dependency
/// order (each shared dependency once), hands out clients, describes the models, and drains on dispose.
/// Its actors live in an Akka.NET actor system: its own (created by <see cref="ModelLibraryBuilder.Build"/>
/// and terminated on dispose) or one given with <see cref="ModelLibraryBuilder.UseActorSystem"/>; under
/// <c>/user/model-actors</c> there is one actor per model, which owns that model's replicas.
/// </summary>
public sealed partial class ModelLibrary : IAsyncDisposable
{
    // Replaced whole (never changed in place) when a model is added or removed at run time: readers take no lock.
    private volatile Dictionary<string, ModelEntry> _entries;
    private volatile IReadOnlyDictionary<string, ModelDefinition> _definitions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _systemEnded = new(); // never disposed: the system may end after the library
    private readonly TaskCompletionSource _streamsEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private readonly bool _ownsSystem;
    private readonly IActorRef _libraryActor;
    private Task? _stopTask;
    private Akka.Streams.ActorMaterializer? _materializer;
    private IActorRef? _placementActor;

    internal ModelLibrary(IReadOnlyDictionary<string, ModelDefinition> definitions, ModelLibraryOptions options, IServiceProvider services, ILoggerFactory loggerFactory, TimeProvider timeProvider, ActorSystem? system, IReadOnlyList<System.Reflection.Assembly>? modelAssemblies = null)
    {
        _definitions = definitions;
        _modelAssemblies = modelAssemblies ?? [];
        Options = options;
        Services = services;
        LoggerFactory = loggerFactory;
        TimeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<ModelLibrary>();
        Metrics = new Diagnostics.ModelMetrics(() => _entries!.Values.Select(e => (e.TelemetryTags, e.QueueDepth, e.BusyReplicas)));
        _entries = definitions.Values.ToDictionary(d => d.Name, CreateEntry, StringComparer.Ordinal);
        _ownsSystem = system is null;
        ActorSystem = system ?? ActorSystems.CreateEmbedded(loggerFactory);
        _ownFrameLimit = Remote.FrameLimits.Of(ActorSystem);
        ActorSystem.WhenTerminated.ContinueWith(static (_, ended) => ((CancellationTokenSource)ended!).Cancel(), _systemEnded, TaskScheduler.Default);
        ActorSystem.WhenTerminated.ContinueWith(static (_, ended) => ((TaskCompletionSource)ended!).TrySetResult(), _streamsEnded, TaskScheduler.Default);
        try
        {
            CheckPlacementCanReachNodes(options, ActorSystem);
            ModelActorsConfig.InjectInto(ActorSystem);
            _libraryActor = ActorSystem.ActorOf(Props.Create<LibraryActor>(), options.ActorName);
            _libraryActor.Ask<ModelsStarted>(new StartModels([.. _entries.Values]), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            DrainOnCoordinatedShutdown();
            ModelLibraries.Of(ActorSystem).Add(options.ActorName, this);
            _placementActor = (options.Placement as IPlacementAcrossNodes)?.Started(this);
        }
        catch
        {
            if (_ownsSystem)
            {
                ActorSystem.Terminate().GetAwaiter().GetResult();
            }

            throw;
        }
    }

    /// <summary>The actor system the library's actors run in.</summary>
    public ActorSystem ActorSystem { get; }

    /// <summary>The library's actor (<c>/user/model-actors</c> by default), parent of one actor per model.</summary>
    public IActorRef LibraryActor => _libraryActor;

    /// <summary>The library's options.</summary>
    public ModelLibraryOptions Options { get; }

    /// <summary>The names of every registered model, sorted.</summary>
    public IReadOnlyList<string> ModelNames => [.. _entries.Keys.Order(StringComparer.Ordinal)];

    internal IServiceProvider Services { get; }

    internal ILoggerFactory LoggerFactory { get; }

    internal TimeProvider TimeProvider { get; }

    internal CancellationToken Stopping => _stopping.Token;

    internal Diagnostics.ModelMetrics Metrics { get; }

    /// <summary>
    /// Cancelled when the actor system has terminated: who waits for an actor's answer registers here, and unregisters once
    /// answered (a continuation on <c>WhenTerminated</c> per wait could not be taken back: a model whose load is retried
    /// for days would pile them up).
    /// </summary>
    internal CancellationToken SystemEnded => _systemEnded.Token;

    /// <summary>
    /// Completes when graphs run on <see cref="Materializer"/> are gone (the library's dispose shuts it down, or the actor
    /// system ended): a stream call still reading one ends then, rather than wait for an element that will never come
    /// (Akka's queue sink leaves a pending pull unanswered when its graph is shut down).
    /// </summary>
    internal Task StreamsEnded => _streamsEnded.Task;

    /// <summary>
    /// The library's Akka.Streams materializer: graphs run on it (batchers, stream calls, servers' audio streams) stop with
    /// the library (a stream call then ends with <see cref="ModelStoppedException"/>; Akka leaves the task of a
    /// <c>RunForeach</c> of yours on it uncompleted, so run graphs that must end cleanly on a materializer of your own).
    /// They run on <c>model-actors.async-dispatcher</c> (the .NET pool, or threads of its own while blocked sync-gateway
    /// callers hold the pool), so a batch still forms when every pool thread waits for one.
    /// </summary>
    public Akka.Streams.IMaterializer Materializer
    {
        get
        {
            if (Volatile.Read(ref _materializer) is { } existing)
            {
                return existing;
            }

            // Settings passed explicitly: without them Akka returns a view of the system's DEFAULT materializer, and shutting
            // it down (a lost race below, or the library's dispose) shut down every graph of the system, the user's included.
            var created = Akka.Streams.ActorMaterializer.Create(ActorSystem, Akka.Streams.ActorMaterializerSettings.Create(ActorSystem).WithDispatcher(Actors.ModelActorsConfig.AsyncDispatcherId), $"{Options.ActorName}-streams");
            if (Interlocked.CompareExchange(ref _materializer, created, null) is { } raced)
            {
                created.Shutdown();
                return raced;
            }

            return created;
        }
    }

    /// <summary>The only model library running in <paramref name="system"/> (made by Akka.Hosting's <c>WithModelActors</c>, <c>AddModelActors</c> or <see cref="ModelLibraryBuilder.UseActorSystem"/>).</summary>
    /// <param name="system">The actor system.</param>
    /// <returns>The library.</returns>
    /// <exception cref="InvalidOperationException">No library runs there (yet), or more than one does; the message says which.</exception>
    public static ModelLibrary For(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return ModelLibraries.Of(system).Single(system);
    }

    /// <summary>The model library in <paramref name="system"/> whose library actor is named <paramref name="actorName"/> (<see cref="ModelLibraryOptions.ActorName"/>).</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="actorName">The library actor's name.</param>
    /// <returns>The library.</returns>
    /// <exception cref="InvalidOperationException">No library of that name runs there.</exception>
    public static ModelLibrary For(ActorSystem system, string actorName)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(actorName);
        return ModelLibraries.Of(system).Named(system, actorName);
    }

    /// <summary>Starts building a library.</summary>
    /// <returns>A new builder.</returns>
    public static ModelLibraryBuilder CreateBuilder() => new();

    /// <summary>
    /// Loads the required models (every model when none are named) with their dependencies, in
    /// dependency order. Does nothing when <see cref="ModelLibraryOptions.LazyLoading"/> is set. Models that other nodes
    /// host (<see cref="ModelLibraryOptions.Placement"/>) are not waited for: they open on their first request, or on
    /// <see cref="LoadModelAsync"/>, once a node that hosts them is reachable.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (loading goes on in the background).</param>
    /// <returns>A task that completes when every required model is ready.</returns>
    /// <exception cref="ModelLoadException">A model failed to load; the message names it.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        if (Options.LazyLoading)
        {
            return;
        }

        var (entries, definitions) = (_entries, _definitions); // one set: models may be added or removed meanwhile
        var roots = Options.RequiredModels.Count > 0 ? Options.RequiredModels : [.. entries.Keys.Order(StringComparer.Ordinal)];
        foreach (var name in DependencyGraph.LoadOrder(definitions, roots).Where(n => entries[n].IsHostedHere))
        {
            await entries[name].EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Loads model <paramref name="name"/> (its dependencies first) unless it is loaded, whatever
    /// <see cref="ModelLibraryOptions.LazyLoading"/> says: servers use it to load models one by one and keep
    /// serving the others when one fails. A failed load is tried again on the next call or load.
    /// </summary>
    /// <param name="name">The model's name.</param>
    /// <param name="cancellationToken">Stops waiting (loading goes on in the background).</param>
    /// <returns>A task that completes when the model is ready.</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    /// <exception cref="ModelLoadException">The model or a dependency failed to load; the message names it.</exception>
    public Task LoadModelAsync(string name, CancellationToken cancellationToken = default) => Entry(name).EnsureLoadedAsync(cancellationToken);

    /// <summary>A client for calling model <paramref name="name"/> from async code.</summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <param name="name">The model's name.</param>
    /// <returns>The client (the same instance on every call).</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    /// <exception cref="ModelTypeMismatchException">The model's types differ from the ones asked for.</exception>
    public IModelClient<TItem, TResult> Get<TItem, TResult>(string name) =>
        (IModelClient<TItem, TResult>)Typed<TItem, TResult>(name).AsyncClient;

    /// <summary>A blocking client (the sync gateway) for model <paramref name="name"/>.</summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <param name="name">The model's name.</param>
    /// <returns>The client (the same instance on every call).</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    /// <exception cref="ModelTypeMismatchException">The model's types differ from the ones asked for.</exception>
    public ISyncModelClient<TItem, TResult> GetSync<TItem, TResult>(string name) =>
        (ISyncModelClient<TItem, TResult>)Typed<TItem, TResult>(name).SyncClient;

    /// <summary>
    /// The actor of model <paramref name="name"/>, for actors that call models by message: <c>Ask</c> or
    /// <c>Tell</c> it a <see cref="ModelRequest{TItem}"/> and it answers the sender with a
    /// <see cref="ModelReply{TResult}"/>, or a <c>Status.Failure</c> carrying the model's own exception.
    /// It routes to the model's replicas as <see cref="IModelClient{TItem, TResult}"/> does (loading the
    /// model first if needed, batching, queue bound and deadline included).
    /// </summary>
    /// <param name="name">The model's name.</param>
    /// <returns>The model actor's reference (<c>/user/model-actors/{name}</c>).</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    public IActorRef RouterOf(string name) => Entry(name).ModelActor;

    /// <summary>Describes every model: types, replicas, router, dependencies, state, load time, queue.</summary>
    /// <returns>One description per model, sorted by name.</returns>
    public IReadOnlyList<ModelDescription> Describe() =>
        [.. _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => e.Describe())];

    /// <summary>
    /// Whether a request to model <paramref name="name"/> should be refused now: its queue is full, or a request queued
    /// now would wait over half the model's deadline (estimated from the queue depth and the recent rate at which work
    /// leaves the queue) and so would likely time out. Null when neither; else the <see cref="ModelOverloadedException"/>
    /// (with its <c>RetryAfter</c> hint) to answer, counted as a rejected request. A server calls it before reading a
    /// request's body, so refusing under overload costs almost nothing; a request that passes can still be refused if the
    /// queue fills meanwhile. Calls through the clients are refused only when the queue is full.
    /// </summary>
    /// <param name="name">The model's name.</param>
    /// <returns>The refusal, or null.</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    public ModelOverloadedException? CheckCapacity(string name) => Entry(name).CheckCapacity();

    /// <summary>Describes model <paramref name="name"/>.</summary>
    /// <param name="name">The model's name.</param>
    /// <returns>Its description.</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    public ModelDescription Describe(string name) => Entry(name).Describe();

    /// <summary>
    /// Stops every model: new requests are refused, accepted ones finish (dependents before their
    /// dependencies). What is still queued after <see cref="ModelLibraryOptions.DrainTimeout"/> or when
    /// <paramref name="cancellationToken"/> fires fails with <see cref="ModelStoppedException"/>.
    /// </summary>
    /// <param name="cancellationToken">Cuts the drain short.</param>
    /// <returns>A task that completes when every model has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_changes)
        {
            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    /// <summary>Stops the library (see <see cref="StopAsync"/>) with the default drain timeout.</summary>
    /// <returns>A task that completes when every model has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_placementActor is { } placementActor)
        {
            ActorSystem.Stop(placementActor);
        }

        _streamsEnded.TrySetResult();
        Volatile.Read(ref _materializer)?.Shutdown();
        if (_ownsSystem)
        {
            await ActorSystem.Terminate().ConfigureAwait(false);
        }
        else if (!ActorSystem.WhenTerminated.IsCompleted)
        {
            await _libraryActor.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        ModelLibraries.Of(ActorSystem).Remove(Options.ActorName, this);
        _stopping.Dispose();
        Metrics.Dispose();
    }

    /// <summary>Whether this node runs model <paramref name="name"/>'s replicas (true without a placement; a model just removed counts as here).</summary>
    internal bool HostsHere(string name) => !_entries.TryGetValue(name, out var entry) || entry.IsHostedHere;

    internal ModelEntry Entry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_entries.TryGetValue(name, out var entry))
        {
            return entry;
        }

        var known = ModelNames;
        throw new ModelNotFoundException(name, known, NameSuggester.Nearest(name, known));
    }

    private ModelEntry<TItem, TResult> Typed<TItem, TResult>(string name)
    {
        var entry = Entry(name);
        return entry as ModelEntry<TItem, TResult> ?? throw ModelErrors.Attach(new ModelTypeMismatchException(
            $"Model '{name}' was asked for as {typeof(TItem).Name} -> {typeof(TResult).Name}, but it takes {entry.Definition.ItemType.Name} and returns {entry.Definition.ResultType.Name}."), name);
    }

    private ModelEntry CreateEntry(ModelDefinition definition)
    {
        var type = typeof(ModelEntry<,>).MakeGenericType(definition.ItemType, definition.ResultType);
        return (ModelEntry)Activator.CreateInstance(type, definition, this)!;
    }

    /// <summary>
    /// When the system shuts down (Akka.Hosting's host stop runs CoordinatedShutdown), accepted work is
    /// drained in the <c>service-requests-done</c> phase, before the actors are stopped. The phase's
    /// timeout (5 s unless configured) bounds the wait; what is left then fails with a shutdown error.
    /// </summary>
    private void DrainOnCoordinatedShutdown() =>
        CoordinatedShutdown.Get(ActorSystem).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, $"drain-{Options.ActorName}", async () =>
        {
            await StopAsync().ConfigureAwait(false);
            return Done.Instance;
        });

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        if (Options.Placement is { } placement && !ActorSystem.WhenTerminated.IsCompleted)
        {
            // On a cluster, leave first: nodes still routing here would otherwise be refused while this one drains.
            await placement.BeforeDrainAsync(ActorSystem).ConfigureAwait(false);
        }

        // Dependents drain before their dependencies, so work in flight can still reach its dependencies. No model is added
        // or removed from here on (the stop task is set), so the sets after a change under way are the last ones; the
        // models no other depends on refuse at once, before waiting for that change.
        BeginStopOfLeaves(_entries, _definitions);
        await WhenChangesDoneAsync().ConfigureAwait(false);
        var (entries, definitions) = (_entries, _definitions);
        var order = DependencyGraph.LoadOrder(definitions, entries.Keys.Order(StringComparer.Ordinal));
        order.Reverse();

        BeginStopOfLeaves(entries, definitions); // again on the final sets: a model the change under way added

        await _stopping.CancelAsync().ConfigureAwait(false);
        ModelLog.Stopping(_logger, entries.Count);
        using var drain = new CancellationTokenSource(Options.DrainTimeout, TimeProvider);
        using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), drain);
        foreach (var name in order)
        {
            await entries[name].StopAsync(drain.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The models no other model depends on (or falls back to) refuse new requests; the others once their dependents have drained.</summary>
    private static void BeginStopOfLeaves(Dictionary<string, ModelEntry> entries, IReadOnlyDictionary<string, ModelDefinition> definitions)
    {
        var dependedOn = definitions.Values
            .SelectMany(d => d.Fallback is null ? d.Dependencies.Values : d.Dependencies.Values.Append(d.Fallback))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var entry in entries.Values.Where(e => !dependedOn.Contains(e.Name)))
        {
            entry.BeginStop();
        }
    }
}
