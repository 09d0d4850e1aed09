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

    public ModelState State { get; protected set; } = ModelState.NotLoaded;

    public TimeSpan? LoadDuration { get; protected set; }

    public Exception? LastError { get; protected set; }

    /// <summary>The tensor signature a replica's loaded model reported, if it is a tensor model.</summary>
    public Onnx.TensorSignature? Signature { get; private set; }

    /// <summary>Records the signature of a loaded replica's model.</summary>
    public void UseSignature(Onnx.TensorSignature signature) => Signature = signature;

    public abstract int QueueDepth { get; }

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

    /// <summary>Refuses new requests from now on (those already waiting for the load are still queued); <see cref="StopAsync"/> drains.</summary>
    public abstract void BeginStop();

    public abstract object AsyncClient { get; }

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
            case DrainModel drain:
                drain.Drained.TrySetResult();
                return true;
            case AbortModel abort:
                abort.Aborted.TrySetResult();
                return true;
            case LoadModel load:
                load.Run.Failed(new ModelLoadException(Name, 0, stopped));
                return true;
            default:
                if (IsRequest(message))
                {
                    if (!sender.IsNobody())
                    {
                        sender.Tell(new Status.Failure(stopped), ActorRefs.NoSender);
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
        State,
        LoadDuration,
        QueueDepth,
        BusyReplicas,
        LastError?.Message)
    {
        MaxBatchSize = Definition.Batching?.MaxBatchSize ?? 0,
        MaxDelay = Definition.Batching?.MaxDelay ?? TimeSpan.Zero,
    };
}

/// <summary>A model's runtime: its router pool of replicas (behind a batcher when batching is on), how requests reach it, and its load/stop life.</summary>
internal sealed partial class ModelEntry<TItem, TResult> : ModelEntry
{
    private readonly ModelLibrary _library;
    private readonly ILogger _logger;
    private readonly SingleWork<TItem, TResult>.Pool _singles;
    private readonly ModelContextHost<TItem, TResult> _contextHost;
    private readonly Lock _gate = new();
    private readonly int _queueCapacity;
    private readonly string _target;
    private IReplicaTarget<TItem, TResult>? _pool;
    private Batcher<TItem, TResult>? _batcher;
    private IItemCheck<TItem>? _itemCheck;
    private Task? _loadTask;
    private bool _stopping;
    private int _awaitingLoad;
    private TaskCompletionSource? _loadWaitersGone;

    public ModelEntry(ModelDefinition definition, ModelLibrary library)
        : base(definition)
    {
        _library = library;
        _logger = library.LoggerFactory.CreateLogger($"ModelActors.Model.{definition.Name}");
        Events = new ModelEvents(definition.Name, library.Metrics, _logger, library.TimeProvider);
        Timeout = definition.Timeout ?? library.Options.DefaultTimeout;
        MaxChunksInFlight = definition.MaxChunksInFlight ?? definition.Replicas;
        _queueCapacity = definition.QueueCapacity ?? library.Options.DefaultQueueCapacity;
        _target = $"Model '{definition.Name}'";
        _singles = new SingleWork<TItem, TResult>.Pool(_target, library.TimeProvider, Events);
        _contextHost = new ModelContextHost<TItem, TResult>(definition, library);
        AsyncClient = new ModelClient<TItem, TResult>(this);
        SyncClient = new SyncModelClient<TItem, TResult>(this);
    }

    public TimeSpan Timeout { get; }

    /// <summary>The longest deadline a <see cref="ModelRequest{TItem}"/> may give (its clock's timestamps must not overflow).</summary>
    private static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromDays(365);

    public int MaxChunksInFlight { get; }

    public ModelEvents Events { get; }

    public override object AsyncClient { get; }

    public override object SyncClient { get; }

    /// <summary>The batcher in front of the replicas once loaded with batching on (tests reach its seams).</summary>
    internal Batcher<TItem, TResult>? Batcher => Volatile.Read(ref _batcher);

    internal override bool TrySetPieceGrouped(Action hook)
    {
        if (Batcher is not { } batcher)
        {
            return false;
        }

        batcher.PieceGrouped = hook;
        return true;
    }

    public override int QueueDepth => _batcher?.QueueDepth ?? _pool?.QueueDepth ?? 0;

    /// <summary>The bound on queued requests (the batcher's queue when batching, else the replicas').</summary>
    public int QueueCapacity => _queueCapacity;

    /// <summary>The bound on work queued at the replicas: the queue capacity, or none behind a batcher (whose graph sends at most one batch per replica at a time).</summary>
    public int ReplicaQueueCapacity => Definition.Batching is null ? _queueCapacity : int.MaxValue;

    /// <summary>Load retries after a failed load.</summary>
    public int LoadRetries => Definition.LoadRetries ?? _library.Options.LoadRetries;

    /// <summary>The library this model belongs to.</summary>
    public ModelLibrary Library => _library;

    /// <summary>The delay before load retry number <paramref name="retry"/> (from 1): LoadMinBackoff × 2^(retry−1), at most LoadMaxBackoff.</summary>
    public TimeSpan Backoff(int retry)
    {
        var options = _library.Options;
        var ticks = Math.Min(options.LoadMinBackoff.Ticks * Math.Pow(2, Math.Min(retry - 1, 30)), options.LoadMaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>A load attempt failed and will be retried: Describe reports the error meanwhile.</summary>
    public void LoadAttemptFailed(Exception error) => LastError = error;

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

    /// <summary>The error of accepted work that the stop did not get to.</summary>
    private ModelStoppedException StoppedBeforeProcessed() => new(Name, "the library stopped before the request was processed.");

    public override int BusyReplicas => _pool?.BusyReplicas ?? 0;

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
        new(_contextHost.ForReplica(call), Name, Definition.AssetPath, replica, _logger, _library.Services, _library.TimeProvider);

    /// <summary>A replica's record of the call it runs (its dependency clients read the deadline).</summary>
    public ReplicaCall CreateReplicaCall() => new(Name, _library.TimeProvider);

    /// <summary>Sends one item (pooled work: no allocation once loaded).</summary>
    public ValueTask<TResult> PredictAsync(TItem item, CancellationToken cancellationToken, Caller caller) =>
        Definition.Fallback is null
            ? PredictPrimaryAsync(item, cancellationToken, caller)
            : PredictWithFallbackAsync(item, cancellationToken, caller);

    /// <summary>Sends one chunk: without batching the model sees exactly these items in one call.</summary>
    public ValueTask<IReadOnlyList<TResult>> PredictChunkAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, Caller caller) =>
        Definition.Fallback is null
            ? PredictChunkPrimaryAsync(items, cancellationToken, caller)
            : PredictChunkWithFallbackAsync(items, cancellationToken, caller);

    /// <summary>Whether the model is loaded: requests are posted to its replicas at once, in the order they are made.</summary>
    internal bool IsLoaded => Volatile.Read(ref _pool) is not null;

    /// <summary>Whether the model refuses new requests (it is stopping).</summary>
    internal bool IsStopping => Volatile.Read(ref _stopping);

    /// <summary>Lets <paramref name="check"/> (a replica's loaded model) refuse bad single requests before they are queued.</summary>
    internal void UseItemCheck(IItemCheck<TItem> check) => Volatile.Write(ref _itemCheck, check);

    private ValueTask<TResult> PredictPrimaryAsync(TItem item, CancellationToken cancellationToken, Caller caller, bool admitted = false)
    {
        var pool = Volatile.Read(ref _pool);
        if (pool is null)
        {
            return PredictAfterLoadAsync(item, cancellationToken, caller);
        }

        if (!admitted && Volatile.Read(ref _stopping))
        {
            return ValueTask.FromException<TResult>(RefusedAtOnce());
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        Events.Request();
        if (TimeoutFor(caller) is not { } timeout)
        {
            return ValueTask.FromException<TResult>(CallerDeadlinePassed(caller));
        }

        if (Volatile.Read(ref _itemCheck)?.CheckItem(item) is { } refused)
        {
            Events.Failed();
            return ValueTask.FromException<TResult>(ModelErrors.Attach(refused, Name));
        }

        var work = _singles.Rent(item, timeout, cancellationToken, caller.Blocking);
        Post(pool, work);
        return work.Task;
    }

    private ValueTask<IReadOnlyList<TResult>> PredictChunkPrimaryAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, Caller caller, bool admitted = false)
    {
        var pool = Volatile.Read(ref _pool);
        if (pool is null)
        {
            return PredictChunkAfterLoadAsync(items, cancellationToken, caller);
        }

        if (!admitted && Volatile.Read(ref _stopping))
        {
            return ValueTask.FromException<IReadOnlyList<TResult>>(RefusedAtOnce());
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<TResult>>(cancellationToken);
        }

        Events.Request();
        if (TimeoutFor(caller) is not { } timeout)
        {
            return ValueTask.FromException<IReadOnlyList<TResult>>(CallerDeadlinePassed(caller));
        }

        var work = new ChunkWork<TItem, TResult>(items, _target, timeout, _library.TimeProvider, cancellationToken, caller.Blocking, Events);
        Post(pool, work);
        return work.Task;
    }

    /// <summary>
    /// The deadline of a call: the model's <see cref="Timeout"/>, or for a dependency call the time its calling model's
    /// call has left when that is shorter (Ask semantics: nobody waits for the answer after that); null when none is left.
    /// </summary>
    private TimeSpan? TimeoutFor(Caller caller) => caller.Within is { } within ? within.Limit(Timeout) : Timeout;

    /// <summary>A dependency call made after its calling model's deadline: never queued, counted as a timed-out request.</summary>
    private TimeoutException CallerDeadlinePassed(Caller caller)
    {
        Events.TimedOut();
        return new TimeoutException($"Model '{Name}' was not called: the call of model '{caller.Within!.Model}' that needs it had already passed its deadline.");
    }

    /// <summary>
    /// Posts a <see cref="ModelRequest{TItem}"/> from an actor of a loaded model without a fallback: the work answers
    /// <paramref name="replyTo"/> itself when it is settled, so one replica's replies keep the order of its work.
    /// </summary>
    /// <param name="request">The request: its items, its deadline (the model's when it has none) and its sender's token.</param>
    /// <param name="replyTo">Who is answered.</param>
    /// <param name="admitted">True for a request accepted before a stop began (it waited for the load): not refused.</param>
    internal void PostRequest(ModelRequest<TItem> request, Akka.Actor.IActorRef replyTo, bool admitted = false)
    {
        if (!admitted && Volatile.Read(ref _stopping))
        {
            replyTo.Tell(new Akka.Actor.Status.Failure(RefusedAtOnce()), Akka.Actor.ActorRefs.NoSender);
            return;
        }

        if (request.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxRequestTimeout))
        {
            Events.Request();
            Events.Failed();
            var error = new ArgumentOutOfRangeException(nameof(request), timeout, $"The request to model '{Name}' has a timeout of {timeout}; it must be positive and at most {MaxRequestTimeout.TotalDays:0} days.");
            replyTo.Tell(new Akka.Actor.Status.Failure(error), Akka.Actor.ActorRefs.NoSender);
            return;
        }

        if (request.Items is null || request.Items.Count == 0)
        {
            // Nothing to run (as PredictBatchAsync of no items): answered at once, never routed.
            replyTo.Tell(new ModelReply<TResult>([]), Akka.Actor.ActorRefs.NoSender);
            return;
        }

        Events.Request();
        var work = new ChunkWork<TItem, TResult>(request.Items, _target, request.Timeout ?? Timeout, _library.TimeProvider, request.CancellationToken, blockingCaller: false, Events, replyTo);
        Post(Volatile.Read(ref _pool)!, work);
    }

    private ValueTask<TResult> PredictAfterLoadAsync(TItem item, CancellationToken cancellationToken, Caller caller) =>
        AfterLoadAsync(() => PredictPrimaryAsync(item, cancellationToken, caller, admitted: true), cancellationToken);

    private ValueTask<IReadOnlyList<TResult>> PredictChunkAfterLoadAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, Caller caller) =>
        AfterLoadAsync(() => PredictChunkPrimaryAsync(items, cancellationToken, caller, admitted: true), cancellationToken);

    /// <summary>A request that arrived before the model loaded: waits for the load (counted, so a stop queues it before closing), then is admitted.</summary>
    private async ValueTask<T> AfterLoadAsync<T>(Func<ValueTask<T>> predict, CancellationToken cancellationToken)
    {
        ValueTask<T> pending;
        EnterLoadWait();
        try
        {
            await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
            pending = predict();
        }
        finally
        {
            LeaveLoadWait();
        }

        return await pending.ConfigureAwait(false);
    }

    /// <summary>The error of a request that arrives once the model is stopping.</summary>
    private ModelStoppedException Refused() => new(Name, "it no longer accepts requests.");

    /// <summary>A request refused before it was queued, counted as a failed request.</summary>
    private ModelStoppedException RefusedAtOnce()
    {
        Events.Request();
        Events.Failed();
        return Refused();
    }

    private void Post(IReplicaTarget<TItem, TResult> pool, IModelWork<TItem, TResult> work)
    {
        PostResult result;
        if (Volatile.Read(ref _batcher) is { } batcher)
        {
            result = batcher.Enqueue(work);
        }
        else
        {
            if (Events.TracksQueueTime)
            {
                work.AcceptedAt = _library.TimeProvider.GetTimestamp();
            }

            result = pool.Post(work);
        }

        if (result == PostResult.Accepted)
        {
            return;
        }

        if (result == PostResult.Full)
        {
            Events.Rejected(_queueCapacity);
            work.Fail(new ModelOverloadedException(Name, _queueCapacity, RetryAfterHint()));
        }
        else
        {
            work.Fail(Refused());
        }

        work.Release();
    }

    public override ModelOverloadedException? CheckCapacity()
    {
        var depth = QueueDepth;
        var rate = Events.TakenPerSecond(depth); // sampled on every look, so the estimate is current when a queue forms
        ModelOverloadedException refusal;
        string? reason = null;
        if (depth >= _queueCapacity)
        {
            refusal = new ModelOverloadedException(Name, _queueCapacity, RetryAfterHint());
        }
        else if (depth > 0 && rate > 0 && TimeSpan.FromSeconds(depth / rate) is var wait && wait > Timeout / 2)
        {
            // Accepted, it would wait most of its deadline and likely time out: refused now, while refusing is cheap.
            reason = $"a request queued now would wait about {wait.TotalMilliseconds:0} ms, over half its {Timeout.TotalMilliseconds:0} ms deadline";
            refusal = new ModelOverloadedException(Name, _queueCapacity, wait, reason);
        }
        else
        {
            return null;
        }

        Events.Request();
        Events.Rejected(_queueCapacity, reason);
        return refusal;
    }

    /// <summary>How long the queue ahead would take to drain: queued requests / replicas × the recent time per call (at least 10 ms).</summary>
    private TimeSpan RetryAfterHint()
    {
        var perCall = Events.RecentCallTime;
        var batch = Definition.Batching?.MaxBatchSize ?? 1;
        var calls = Math.Ceiling((double)QueueDepth / batch / Definition.Replicas);
        var estimate = TimeSpan.FromTicks((long)(perCall.Ticks * Math.Max(1, calls)));
        return estimate < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : estimate;
    }

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
