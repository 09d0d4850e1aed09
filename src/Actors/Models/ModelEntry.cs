using Microsoft.Extensions.Logging;
using ModelActors.Batching;
using ModelActors.Diagnostics;
using ModelActors.Runtime;
using ModelActors.Runtime.Routing;

namespace ModelActors.Models;

/// <summary>The library's record of one model: its definition and its life (state, load, stop), independent of the item types.</summary>
internal abstract class ModelEntry(ModelDefinition definition)
{
    public ModelDefinition Definition { get; } = definition;

    public string Name => Definition.Name;

    public ModelState State { get; protected set; } = ModelState.NotLoaded;

    public TimeSpan? LoadDuration { get; protected set; }

    public Exception? LastError { get; protected set; }

    public abstract int QueueDepth { get; }

    public abstract int BusyReplicas { get; }

    /// <summary>Loads the model (and first its dependencies) unless it is loaded; a failed load is tried again on the next call.</summary>
    public abstract Task EnsureLoadedAsync(CancellationToken cancellationToken);

    /// <summary>Refuses new requests and drains accepted ones; what is still queued when <paramref name="cancellationToken"/> fires fails with <see cref="ModelStoppedException"/>.</summary>
    public abstract Task StopAsync(CancellationToken cancellationToken);

    public abstract object AsyncClient { get; }

    public abstract object SyncClient { get; }

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
        LastError?.Message);
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
    private RouterPool<IModelWork<TItem, TResult>>? _pool;
    private Batcher<TItem, TResult>? _batcher;
    private IItemCheck<TItem>? _itemCheck;
    private Task? _loadTask;
    private bool _stopping;

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

    public int MaxChunksInFlight { get; }

    public ModelEvents Events { get; }

    public override object AsyncClient { get; }

    public override object SyncClient { get; }

    public override int QueueDepth => _batcher?.QueueDepth ?? _pool?.QueueDepth ?? 0;

    public override int BusyReplicas => _pool?.BusyReplicas ?? 0;

    public ModelBase<TItem, TResult> CreateInstance()
    {
        var services = _library.Services;
        var instance = Definition.Factory is { } factory
            ? factory(services)
            : Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(services, Definition.ModelType);
        return (ModelBase<TItem, TResult>)instance;
    }

    public ModelContext CreateContext(int replica) =>
        new(_contextHost, Name, Definition.AssetPath, replica, _logger, _library.Services, _library.TimeProvider);

    /// <summary>Sends one item (pooled work: no allocation once loaded).</summary>
    public ValueTask<TResult> PredictAsync(TItem item, CancellationToken cancellationToken, bool blockingCaller) =>
        Definition.Fallback is null
            ? PredictPrimaryAsync(item, cancellationToken, blockingCaller)
            : PredictWithFallbackAsync(item, cancellationToken, blockingCaller);

    /// <summary>Sends one chunk: without batching the model sees exactly these items in one call.</summary>
    public ValueTask<IReadOnlyList<TResult>> PredictChunkAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, bool blockingCaller) =>
        Definition.Fallback is null
            ? PredictChunkPrimaryAsync(items, cancellationToken, blockingCaller)
            : PredictChunkWithFallbackAsync(items, cancellationToken, blockingCaller);

    public override Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        var task = Volatile.Read(ref _loadTask);
        if (task is { IsCompletedSuccessfully: true })
        {
            return task;
        }

        lock (_gate)
        {
            if (_stopping)
            {
                return Task.FromException(new ModelStoppedException(Name, "the library is stopping."));
            }

            if (_loadTask is null || _loadTask.IsFaulted || _loadTask.IsCanceled)
            {
                State = ModelState.Loading;
                _loadTask = Task.Run(LoadAsync, CancellationToken.None);
            }

            task = _loadTask;
        }

        return task.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        RouterPool<IModelWork<TItem, TResult>>? pool;
        Batcher<TItem, TResult>? batcher;
        lock (_gate)
        {
            _stopping = true;
            pool = _pool;
            batcher = _batcher;
        }

        if (pool is null)
        {
            State = ModelState.Stopped;
            return;
        }

        State = ModelState.Stopping;
        if (batcher is not null)
        {
            batcher.Stop();
            try
            {
                await batcher.Drained.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                batcher.FailQueued(() => new ModelStoppedException(Name, "the library stopped before the request was processed."));
            }
        }

        await pool.StopAsync(cancellationToken).ConfigureAwait(false);
        State = ModelState.Stopped;
    }

    /// <summary>Lets <paramref name="check"/> (a replica's loaded model) refuse bad single requests before they are queued.</summary>
    internal void UseItemCheck(IItemCheck<TItem> check) => Volatile.Write(ref _itemCheck, check);

    private ValueTask<TResult> PredictPrimaryAsync(TItem item, CancellationToken cancellationToken, bool blockingCaller)
    {
        var pool = Volatile.Read(ref _pool);
        if (pool is null)
        {
            return PredictAfterLoadAsync(item, cancellationToken, blockingCaller);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        Events.Request();
        if (Volatile.Read(ref _itemCheck)?.CheckItem(item) is { } refused)
        {
            Events.Failed();
            return ValueTask.FromException<TResult>(ModelErrors.Attach(refused, Name));
        }

        var work = _singles.Rent(item, Timeout, cancellationToken, blockingCaller);
        Post(pool, work);
        return work.Task;
    }

    private ValueTask<IReadOnlyList<TResult>> PredictChunkPrimaryAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, bool blockingCaller)
    {
        var pool = Volatile.Read(ref _pool);
        if (pool is null)
        {
            return PredictChunkAfterLoadAsync(items, cancellationToken, blockingCaller);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<TResult>>(cancellationToken);
        }

        Events.Request();
        var work = new ChunkWork<TItem, TResult>(items, _target, Timeout, _library.TimeProvider, cancellationToken, blockingCaller, Events);
        Post(pool, work);
        return work.Task;
    }

    private async ValueTask<TResult> PredictAfterLoadAsync(TItem item, CancellationToken cancellationToken, bool blockingCaller)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        return await PredictPrimaryAsync(item, cancellationToken, blockingCaller).ConfigureAwait(false);
    }

    private async ValueTask<IReadOnlyList<TResult>> PredictChunkAfterLoadAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, bool blockingCaller)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        return await PredictChunkPrimaryAsync(items, cancellationToken, blockingCaller).ConfigureAwait(false);
    }

    private void Post(RouterPool<IModelWork<TItem, TResult>> pool, IModelWork<TItem, TResult> work)
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

            result = pool.Tell(work);
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
            work.Fail(new ModelStoppedException(Name, "it no longer accepts requests."));
        }

        work.Release();
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

    private async Task LoadAsync()
    {
        try
        {
            foreach (var dependency in Definition.Dependencies.Values.Distinct())
            {
                await _library.Entry(dependency).EnsureLoadedAsync(_library.Stopping).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            State = ModelState.Failed;
            LastError = exception;
            throw;
        }

        var started = _library.TimeProvider.GetTimestamp();
        var pool = RouterPool<IModelWork<TItem, TResult>>.Start(
            Definition.Router,
            Name,
            Definition.Replicas,
            CreateProps(),
            Definition.Batching is null ? MailboxOptions.Bounded(_queueCapacity) : MailboxOptions.Unbounded,
            _logger,
            _library.TimeProvider);
        try
        {
            await pool.Started.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
            var attempts = pool.Cells.Max(c => c.StartAttempts);
            var failure = new ModelLoadException(Name, attempts, exception);
            ModelLog.LoadFailed(_logger, Name, attempts, exception);
            LastError = failure;
            State = ModelState.Failed;
            throw failure;
        }

        if (Definition.Batching is { } batching)
        {
            // The batcher sends at most one batch per replica at a time, so the pool's mailbox stays short.
            _batcher = new Batcher<TItem, TResult>(batching, _queueCapacity, Definition.Replicas, pool, _library.TimeProvider, OnBatchFormed, Events.CallTook);
        }

        LoadDuration = _library.TimeProvider.GetElapsedTime(started);
        LastError = null;
        Volatile.Write(ref _pool, pool);
        State = ModelState.Ready;
        ModelLog.Loaded(_logger, Name, Definition.Replicas, LoadDuration.Value.TotalMilliseconds);
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

    private Props<IModelWork<TItem, TResult>> CreateProps() => new(index => new ModelReplica<TItem, TResult>(this, index))
    {
        Dispatcher = Definition.IsSync ? DispatcherKind.DedicatedThread : DispatcherKind.ThreadPool,
        Supervisor = new SupervisorStrategy
        {
            MaxRestarts = Definition.LoadRetries ?? _library.Options.LoadRetries,
            MinBackoff = _library.Options.LoadMinBackoff,
            MaxBackoff = _library.Options.LoadMaxBackoff,
        },
        DeadLetters = work =>
        {
            work.Fail(new ModelStoppedException(Name, "the library stopped before the request was processed."));
            work.Release();
        },
    };
}
