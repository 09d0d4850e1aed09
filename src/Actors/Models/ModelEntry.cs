using Akka.Actor;
using Microsoft.Extensions.Logging;
using ModelActors.Actors;
using ModelActors.Batching;
using ModelActors.Diagnostics;

namespace ModelActors.Models;

/// <summary>The library's record of one model: its definition and its life (state, load, stop), independent of the item types.</summary>
internal abstract class ModelEntry(ModelDefinition definition)
{
    public ModelDefinition Definition { get; } = definition;

    public string Name => Definition.Name;

    /// <summary>The tags of the model's metrics and spans, <c>model</c> first.</summary>
    public KeyValuePair<string, object?>[] TelemetryTags => Definition.TelemetryTags;

    /// <summary>The model's life as its actor last published it.</summary>
    public ModelState State => Status.State;

    /// <summary>How long the last successful load took.</summary>
    public TimeSpan? LoadDuration => Status.LoadDuration;

    /// <summary>The last load error (cleared by a successful load).</summary>
    public Exception? LastError => Status.LastError;

    /// <summary>What the model actor last published about the model's life (it is the only writer).</summary>
    internal abstract ModelStatus Status { get; }

    /// <summary>The signature a replica's loaded model reported (an ONNX model's tensor signature), if it has one.</summary>
    public object? Signature { get; private set; }

    /// <summary>Records the signature of a loaded replica's model.</summary>
    public void UseSignature(object signature) => Signature = signature;

    public abstract int QueueDepth { get; }

    /// <summary>The bound on queued requests: beyond it they are refused as overloaded.</summary>
    public abstract int QueueCapacity { get; }

    /// <summary>
    /// Null when the model's queue has room now and a request queued now would not wait over half its deadline (by the
    /// queue depth and the recent rate at which work leaves the queue); else the <see cref="ModelOverloadedException"/>
    /// to answer (counted as a rejection), so that a server can refuse before it reads and parses the request.
    /// </summary>
    public abstract ModelOverloadedException? CheckCapacity();

    /// <summary>Test seam: sets the batcher's <c>PieceGrouped</c> hook; false when the model has no batcher (not loaded, or batching off).</summary>
    internal abstract bool TrySetPieceGrouped(Action hook);

    public abstract int BusyReplicas { get; }

    /// <summary>Loads the model (and first its dependencies) unless it is loaded; a failed load is tried again on the next call.</summary>
    public abstract Task EnsureLoadedAsync(CancellationToken cancellationToken);

    /// <summary>Refuses new requests and drains accepted ones; what is still queued when <paramref name="cancellationToken"/> fires fails with <see cref="ModelStoppedException"/>.</summary>
    public abstract Task StopAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Refuses new requests from now on: the admission in front of the model's door closes (a one-way latch, read by
    /// callers; requests already queued are still served, those waiting for a load the stop gives up fail with a stop
    /// error); <see cref="StopAsync"/> drains.
    /// </summary>
    public void BeginStop() => Volatile.Write(ref _refusing, true);

    /// <summary>Whether new requests are refused (a stop began).</summary>
    internal bool IsRefusing => Volatile.Read(ref _refusing);

    private bool _refusing;

    public abstract object AsyncClient { get; }

    /// <summary>Whether this node runs the model's replicas (false: another node of the cluster does).</summary>
    public abstract bool IsHostedHere { get; }

    public abstract object SyncClient { get; }

    /// <summary>The model's actor (<c>/user/model-actors/{model}</c>); set when the library actor has created it.</summary>
    public IActorRef ModelActor { get; private set; } = ActorRefs.Nobody;

    /// <summary>Records the model's actor.</summary>
    public void Attach(IActorRef modelActor) => ModelActor = modelActor;

    /// <summary>The props of the model's actor.</summary>
    public abstract Props CreateActorProps();

    /// <summary>Fails <paramref name="message"/> with a shutdown error if it is this model's work (it reached dead letters); true when it was.</summary>
    public abstract bool Abandon(object message);

    /// <summary>
    /// Answers a message of this model's that reached dead letters because its actor has stopped (a bug stopped it): its
    /// work fails with a shutdown error, an actor's request is answered with one, and a load, drain or abort waiting
    /// for the actor ends, so that nobody (a stop, a caller) waits forever; true when it was one.
    /// </summary>
    public bool AbandonDead(object message, IActorRef sender)
    {
        var stopped = new ModelStoppedException(Name, "its actor has stopped.");
        switch (message)
        {
            case AbortModel:
                return true;
            case EnsureLoaded load:
                load.Loaded.TrySetException(new ModelLoadException(Name, 0, stopped));
                return true;
            case StopModel stop:
                stop.Stopped.TrySetResult();
                return true;
            default:
                if (IsRequest(message))
                {
                    if (!sender.IsNobody())
                    {
                        new Remote.ReplyTo(sender, Name, long.MaxValue).Fail(stopped);
                    }

                    return true;
                }

                return Abandon(message);
        }
    }

    /// <summary>Whether <paramref name="message"/> is a <see cref="ModelRequest{TItem}"/> of this model's item type.</summary>
    protected abstract bool IsRequest(object message);

    public ModelDescription Describe() => new(
        Name,
        Definition.ModelType,
        Definition.ItemType,
        Definition.ResultType,
        Definition.IsSync,
        Definition.Replicas,
        Definition.Router,
        Definition.Dependencies,
        DescribedState(),
        LoadDuration,
        QueueDepth,
        BusyReplicas,
        LastError?.Message)
    {
        MaxBatchSize = Definition.Batching?.MaxBatchSize ?? 0,
        MaxDelay = Definition.Batching?.MaxDelay ?? TimeSpan.Zero,
        QueueCapacity = QueueCapacity,
        ReplicasByNode = ReplicasByNode(),
    };

    /// <summary>On a cluster, each node that hosts the model with its replicas (every node registers the same definitions).</summary>
    protected abstract IReadOnlyDictionary<string, int>? ReplicasByNode();

    /// <summary>The state <see cref="Describe"/> reports (readiness reads it): <see cref="State"/>, unless the model cannot answer now.</summary>
    protected abstract ModelState DescribedState();
}

/// <summary>
/// A model's runtime as its callers see it: the door requests enter by (<see cref="ModelEntry{TItem, TResult}.PredictAsync"/>,
/// <see cref="ModelEntry{TItem, TResult}.PostRequest"/>), and the snapshot its model actor publishes (state, replicas,
/// batcher), which callers only read.
/// </summary>
internal sealed partial class ModelEntry<TItem, TResult> : ModelEntry
{
    private readonly ModelLibrary _library;
    private readonly ILogger _logger;
    private readonly SingleWork<TItem, TResult>.Pool _singles;
    private readonly int _queueCapacity;
    private ModelSnapshot<TItem, TResult> _snapshot = ModelSnapshot<TItem, TResult>.Initial;
    private IItemCheck<TItem>? _itemCheck;

    public ModelEntry(ModelDefinition definition, ModelLibrary library)
        : base(definition)
    {
        _library = library;
        _logger = library.LoggerFactory.CreateLogger($"ModelActors.Model.{definition.Name}");
        Events = new ModelEvents(definition.Name, TelemetryTags, library.Metrics, _logger, library.TimeProvider);
        Timeout = definition.Timeout ?? library.Options.DefaultTimeout;
        MaxChunksInFlight = definition.MaxChunksInFlight ?? definition.Replicas;
        _queueCapacity = definition.QueueCapacity ?? library.Options.DefaultQueueCapacity;
        _singles = new SingleWork<TItem, TResult>.Pool(definition.Name, library.TimeProvider, Events);
        var placement = library.Options.Placement;
        var hostedHere = placement?.HostsReplicas(definition.Name) ?? true;
        Placement = hostedHere ? null : placement;
        Spread = hostedHere && placement?.SpreadsRequests(definition.Name) == true ? placement : null;
        AsyncClient = new ModelClient<TItem, TResult>(this);
        SyncClient = new SyncModelClient<TItem, TResult>(this);
    }

    public TimeSpan Timeout { get; }

    /// <summary>
    /// The placement that puts this model's replicas on other nodes, when this node hosts none: its door is then a
    /// <see cref="Remote.RemoteDoorActor{TItem, TResult}"/>, and it batches (and loads its dependencies) where it runs.
    /// </summary>
    public IModelPlacement? Placement { get; }

    /// <summary>
    /// The placement when this node hosts the model and spreads its clients' requests over the other nodes that host it:
    /// the model actor then also starts a door to them (<see cref="ModelSnapshot{TItem, TResult}.Door"/>).
    /// </summary>
    public IModelPlacement? Spread { get; }

    public override bool IsHostedHere => Placement is null;

    /// <summary>
    /// A model hosted elsewhere whose every host has gone is not described as ready: its requests fail at once (503) until a
    /// node that hosts it is up again, so it is <see cref="ModelState.Loading"/>, as it was before any host had joined.
    /// </summary>
    protected override ModelState DescribedState()
    {
        var snapshot = Snapshot;
        return snapshot.State == ModelState.Ready && Placement is not null && snapshot.Pool is ReplicaSet<TItem, TResult> { RemoteNodes: 0 } ? ModelState.Loading : snapshot.State;
    }

    protected override IReadOnlyDictionary<string, int>? ReplicasByNode() =>
        _library.Options.Placement is { } placement
            ? placement.NodesHosting(Name, _library.ActorSystem).ToDictionary(node => node, _ => Definition.Replicas, StringComparer.Ordinal)
            : null;

    public int MaxChunksInFlight { get; }

    public ModelEvents Events { get; }

    public override object AsyncClient { get; }

    public override object SyncClient { get; }

    /// <summary>The snapshot the model actor published last.</summary>
    internal ModelSnapshot<TItem, TResult> Snapshot => Volatile.Read(ref _snapshot);

    internal override ModelStatus Status => Snapshot;

    /// <summary>The model actor publishes a new snapshot (it alone writes it).</summary>
    internal void Publish(ModelSnapshot<TItem, TResult> snapshot) => Volatile.Write(ref _snapshot, snapshot);

    /// <summary>The batcher in front of the replicas once loaded with batching on (tests reach its seams).</summary>
    internal Batcher<TItem, TResult>? Batcher => Snapshot.Batcher;

    internal override bool TrySetPieceGrouped(Action hook)
    {
        if (Batcher is not { } batcher)
        {
            return false;
        }

        batcher.PieceGrouped = hook;
        return true;
    }

    public override int QueueDepth => Snapshot is var snapshot && snapshot.Batcher is { } batcher
        ? batcher.QueueDepth + (snapshot.Door?.QueueDepth ?? 0)
        : (snapshot.Pool?.QueueDepth ?? 0) + (snapshot.Door?.QueueDepth ?? 0);

    public override int BusyReplicas => Snapshot.Pool?.BusyReplicas ?? 0;

    /// <summary>The bound on queued requests (the batcher's queue when batching, else the replicas').</summary>
    public override int QueueCapacity => _queueCapacity;

    /// <summary>The bound on work queued at the replicas: the queue capacity, or none behind a batcher (whose graph sends at most one batch per replica at a time).</summary>
    public int ReplicaQueueCapacity => Definition.Batching is null || Placement is not null ? _queueCapacity : int.MaxValue;

    /// <summary>Load retries after a failed load.</summary>
    public int LoadRetries => Definition.LoadRetries ?? _library.Options.LoadRetries;

    /// <summary>The library this model belongs to.</summary>
    public ModelLibrary Library => _library;

    /// <summary>The model's logger.</summary>
    public ILogger Logger => _logger;

    /// <summary>The delay before load retry number <paramref name="retry"/> (from 1): LoadMinBackoff × 2^(retry−1), at most LoadMaxBackoff.</summary>
    public TimeSpan Backoff(int retry)
    {
        var options = _library.Options;
        var ticks = Math.Min(options.LoadMinBackoff.Ticks * Math.Pow(2, Math.Min(retry - 1, 30)), options.LoadMaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    public override Props CreateActorProps() => Props.Create(typeof(ModelActor<TItem, TResult>), this);

    protected override bool IsRequest(object message) => message is ModelRequest<TItem>;

    public override bool Abandon(object message)
    {
        if (message is not IModelWork<TItem, TResult> work)
        {
            return false;
        }

        work.Fail(StoppedBeforeProcessed());
        work.Release();
        return true;
    }

    /// <summary>
    /// An actor of this model stops with messages still in its mailbox (its actor system terminating under the library,
    /// a coordinated shutdown whose phase timed out): each is answered now as a dead letter would be, with the shutdown
    /// error. Left to reach dead letters, they would find the library's handler gone and wait for their deadlines. Called
    /// from the actor's <c>PostStop</c>, while Akka has not yet emptied its mailbox.
    /// </summary>
    /// <param name="context">The stopping actor's context.</param>
    /// <returns>How many work items it answered.</returns>
    internal int AbandonMailbox(IActorContext context)
    {
        var works = 0;
        if (context is ActorCell { Mailbox.MessageQueue: { } queue })
        {
            while (queue.TryDequeue(out var envelope))
            {
                works += envelope.Message is IModelWork<TItem, TResult> ? 1 : 0;
                AbandonDead(envelope.Message, envelope.Sender);
            }
        }

        return works;
    }

    /// <summary>The error of accepted work that the stop did not get to.</summary>
    internal ModelStoppedException StoppedBeforeProcessed() => new(Name, "the library stopped before the request was processed.");

    public ModelBase<TItem, TResult> CreateInstance()
    {
        var services = _library.Services;
        var instance = Definition.Factory is { } factory
            ? factory(services)
            : Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(services, Definition.ModelType);
        return (ModelBase<TItem, TResult>)instance;
    }

    /// <summary>The context of replica <paramref name="replica"/>, whose dependency calls inherit the deadline of <paramref name="call"/>.</summary>
    public ModelContext CreateContext(int replica, ReplicaCall call) =>
        new(new ModelContextHost<TItem, TResult>(Definition, _library, call), Name, Definition.AssetPath, replica, _logger, _library.Services, _library.TimeProvider);

    /// <summary>A replica's record of the call it runs (its dependency clients read the deadline).</summary>
    public ReplicaCall CreateReplicaCall() => new(Name, _library.TimeProvider, Definition.Batching is null ? Events.CallTook : null); // a batcher tells its own

    /// <summary>Lets <paramref name="check"/> (a replica's loaded model) refuse bad single requests before they are queued.</summary>
    internal void UseItemCheck(IItemCheck<TItem> check) => Volatile.Write(ref _itemCheck, check);

    /// <summary>The batcher of a load whose replicas are <paramref name="pool"/> (the model actor makes it when batching is on).</summary>
    internal Batcher<TItem, TResult>? CreateBatcher(IReplicaTarget<TItem, TResult> pool) =>
        Definition.Batching is { } batching && Placement is null
            ? new Batcher<TItem, TResult>(new BatcherSetup<TItem, TResult>(
                Name, batching, _queueCapacity, Definition.Replicas, pool, _library.Materializer, _library.TimeProvider, _logger, StoppedBeforeProcessed, OnBatchFormed, Events.CallTook))
            : null;

    private void OnBatchFormed(IReadOnlyList<WorkPart<TItem, TResult>> parts)
    {
        if (!Events.TracksQueueTime)
        {
            return;
        }

        var count = 0;
        foreach (var part in parts)
        {
            count += part.Count;
        }

        foreach (var part in parts)
        {
            if (part.Offset == 0)
            {
                Events.Dequeued(part.Work.AcceptedAt, count);
            }
        }
    }
}
