using Akka.Actor;
using Akka.Event;
using Akka.Routing;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// The actor of one model (<c>/user/model-actors/{model}</c>): loads the model by starting its replicas
/// behind an Akka pool router (<see cref="RoundRobinPool"/>, <see cref="SmallestMailboxPool"/>, <see cref="ConsistentHashingPool"/>, or
/// for Balancing with several replicas a <see cref="BalancingActor{TItem, TResult}"/> they pull from), retries a failed load with exponential backoff on an Akka timer,
/// answers <see cref="ModelRequest{TItem}"/> from other actors, and drains its replicas on stop.
/// </summary>
/// <remarks>
/// The backoff is this actor's own timer rather than a <c>BackoffSupervisor</c> around it: the failed
/// attempt, the scheduled retry and its log line happen in one step here, so <c>Describe()</c> and a
/// test driving Akka's <c>TestScheduler</c> see the retry the moment it is scheduled (a
/// BackoffSupervisor schedules it later, when it processes the child's <c>Terminated</c>). The replicas'
/// own supervision is Akka's: Resume (a prediction failure never reaches it; anything else keeps the
/// loaded instance).
/// </remarks>
internal sealed class ModelActor<TItem, TResult> : UntypedActor, IWithTimers, IWithUnboundedStash
{
    private static readonly SupervisorStrategy ReplicaStrategy = new OneForOneStrategy(_ => Directive.Resume);

    private readonly ModelEntry<TItem, TResult> _entry;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _replicaActors = [];
    private LoadRun? _run;
    private ReplicaSet<TItem, TResult>? _set;
    private int _attempt;
    private int _generation;
    private int _loaded;
    private TaskCompletionSource? _drained;
    private bool _awaitingLoadForRequests;

    public ModelActor(ModelEntry<TItem, TResult> entry)
    {
        _entry = entry;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    public IStash Stash { get; set; } = null!;

    protected override SupervisorStrategy SupervisorStrategy() => ReplicaStrategy;

    /// <summary>Stopped by its supervisor (a bug here): nobody may wait forever for a load or a drain.</summary>
    protected override void PostStop()
    {
        foreach (var envelope in Stash.ClearStash())
        {
            envelope.Sender.Tell(new Status.Failure(new ModelStoppedException(_entry.Name, "its actor stopped before the model loaded.")));
        }

        if (_awaitingLoadForRequests)
        {
            _awaitingLoadForRequests = false;
            _entry.LeaveLoadWait();
        }

        _run?.Failed(new ModelLoadException(_entry.Name, _attempt, new InvalidOperationException($"The actor of model '{_entry.Name}' stopped.")));
        _drained?.TrySetResult();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case LoadModel load:
                Load(load.Run);
                break;
            case ReplicaLoaded loaded when ReferenceEquals(loaded.Set, _set):
                if (++_loaded == _set!.Replicas)
                {
                    _run?.Loaded(_set);
                    _run = null;
                }

                break;
            case ReplicaLoadFailed failed when ReferenceEquals(failed.Set, _set):
                if (_run is not null)
                {
                    LoadFailed(failed.Error);
                }
                else
                {
                    StopReplicas(_set!); // the model is draining: nothing waits for this load any more
                }

                break;
            case RetryLoad retry when retry.Attempt == _attempt && _run is not null:
                StartReplicas();
                break;
            case ModelRequest<TItem> request:
                Answer(request);
                break;
            case LoadedForRequests loaded:
                RequestsMayProceed(loaded.Error);
                break;
            case DrainModel drain:
                Drain(drain.Drained);
                break;
            case AbortModel abort:
                Abort();
                abort.Aborted.TrySetResult();
                break;
            case Terminated terminated:
                ReplicaTerminated(terminated.ActorRef);
                break;
            case ReplicaLoaded or ReplicaLoadFailed or RetryLoad:
                break; // from a load attempt that was already given up
            default:
                Unhandled(message);
                break;
        }
    }

    private void Load(LoadRun run)
    {
        if (_set is not null && _run is null && _loaded == _set.Replicas)
        {
            run.Loaded(_set);
            return;
        }

        if (_run is not null)
        {
            // A load is under way: the newer run shares its outcome.
            var current = _run;
            current.Task.ContinueWith(t => Copy(t, run), TaskScheduler.Default);
            return;
        }

        _run = run;
        _attempt = 0;
        StartReplicas();
    }

    private static void Copy(Task<object> from, LoadRun to)
    {
        if (from.IsCompletedSuccessfully)
        {
            to.Loaded(from.Result);
        }
        else
        {
            to.Failed(from.Exception?.InnerException ?? new OperationCanceledException());
        }
    }

    private void StartReplicas()
    {
        _attempt++;
        _generation++; // actor names stay unique while an earlier load's replicas are still stopping
        _loaded = 0;
        var definition = _entry.Definition;
        var set = new ReplicaSet<TItem, TResult>(definition.Replicas, _entry.ReplicaQueueCapacity, Self, _generation);
        _set = set;
        set.Pulls = definition.Router == RouterKind.Balancing && definition.Replicas > 1;
        var props = ReplicaActor<TItem, TResult>.PropsFor(_entry, set);
        var door = set.Pulls
            ? Props.Create(typeof(BalancingActor<TItem, TResult>), _entry, props, definition.Replicas)
            : props.WithRouter(PoolFor(definition));
        set.Router = Context.Watch(Context.ActorOf(door, $"replicas-{_generation}"));
        _replicaActors.Add(set.Router);
    }

    /// <summary>
    /// The Akka pool router of <paramref name="definition"/>'s <see cref="RouterKind"/>, its replicas under Resume (Balancing
    /// with one replica: a pool of one, nothing to balance).
    /// </summary>
    private static Pool PoolFor(ModelDefinition definition) => definition.Router switch
    {
        RouterKind.SmallestMailbox => new SmallestMailboxPool(definition.Replicas).WithSupervisorStrategy(ReplicaStrategy),
        RouterKind.ConsistentHashing => new ConsistentHashingPool(definition.Replicas)
            .WithSupervisorStrategy(ReplicaStrategy)
            .WithHashMapping(message => message is IModelWork<TItem, TResult> work ? HashKeys.Of(work.Item) : null),
        _ => new RoundRobinPool(definition.Replicas).WithSupervisorStrategy(ReplicaStrategy),
    };

    private void LoadFailed(Exception error)
    {
        StopReplicas(_set!);
        var retries = _entry.LoadRetries;
        if (_attempt > retries)
        {
            var failure = new ModelLoadException(_entry.Name, _attempt, error);
            _log.Error(error, "Model '{0}' failed to load after {1} attempt(s); giving up", _entry.Name, _attempt);
            _set = null;
            _run!.Failed(failure);
            _run = null;
            return;
        }

        var delay = _entry.Backoff(_attempt);
        _entry.LoadAttemptFailed(error);
        Timers.StartSingleTimer("load", new RetryLoad(_attempt), delay);
        _log.Warning("Model '{0}' failed to load (attempt {1} of {2}): {3}; retrying in {4} ms", _entry.Name, _attempt, retries + 1, error.Message, delay.TotalMilliseconds);
    }

    private void StopReplicas(ReplicaSet<TItem, TResult> set)
    {
        set.Close();
        Context.Stop(set.Router);
    }

    /// <summary>
    /// Answers a request from an actor. Once the model is loaded it is posted at once, so requests reach the replicas in
    /// the order this actor received them; before, it is stashed while the model loads and posted in order after. The
    /// work itself tells the reply on the thread that settles it, so the replies of one replica leave in the order it
    /// finished them (a thread-pool continuation, as <c>PipeTo</c> uses, could overtake another).
    /// </summary>
    private void Answer(ModelRequest<TItem> request)
    {
        if (_entry.Definition.Fallback is not null)
        {
            // With a fallback the answer may come from another model (also when the load fails): awaited, then told;
            // no order is promised.
            _ = ReplyAsync(Sender, _entry.PredictChunkAsync(request.Items, request.CancellationToken, Caller.Async));
            return;
        }

        if (_awaitingLoadForRequests || (!_entry.IsLoaded && !_entry.IsStopping))
        {
            // Also while the load is awaited though it has just ended: no request may overtake those stashed.
            Stash.Stash();
            if (!_awaitingLoadForRequests)
            {
                _awaitingLoadForRequests = true;
                _entry.EnterLoadWait(); // a stop that begins now waits until the stashed requests are queued
                var self = Self;
                _entry.EnsureLoadedAsync(CancellationToken.None).ContinueWith(
                    load => self.Tell(new LoadedForRequests(load.IsCompletedSuccessfully ? null : load.Exception?.InnerException ?? new OperationCanceledException())),
                    TaskScheduler.Default);
            }

            return;
        }

        _entry.PostRequest(request, Sender);
    }

    private static async Task ReplyAsync(IActorRef replyTo, ValueTask<IReadOnlyList<TResult>> pending)
    {
        try
        {
            replyTo.Tell(new ModelReply<TResult>(await pending.ConfigureAwait(false)));
        }
        catch (Exception exception)
        {
            replyTo.Tell(new Status.Failure(exception));
        }
    }

    /// <summary>The load that stashed requests waited for ended: they are answered in the order they came.</summary>
    private void RequestsMayProceed(Exception? error)
    {
        _awaitingLoadForRequests = false;
        try
        {
            foreach (var envelope in Stash.ClearStash())
            {
                if (error is not null)
                {
                    envelope.Sender.Tell(new Status.Failure(error));
                }
                else
                {
                    // Accepted before any stop began: queued in the order they came, even if a stop has begun since.
                    _entry.PostRequest((ModelRequest<TItem>)envelope.Message, envelope.Sender, admitted: true);
                }
            }
        }
        finally
        {
            _entry.LeaveLoadWait();
        }
    }

    /// <summary>Told to itself when the load that stashed requests wait for has ended (<paramref name="Error"/> null when it loaded).</summary>
    private sealed record LoadedForRequests(Exception? Error);

    private void Drain(TaskCompletionSource drained)
    {
        _drained = drained;
        Timers.CancelAll();
        _run?.Failed(new ModelStoppedException(_entry.Name, "the library is stopping."));
        _run = null;
        if (_set is null || _replicaActors.Count == 0)
        {
            drained.TrySetResult();
            return;
        }

        _set.Close();

        // Each replica finishes its mailbox, then stops; the pool stops after its last replica.
        _set.Router.Tell(new Broadcast(PoisonPill.Instance));
    }

    private void Abort()
    {
        if (_set is null)
        {
            return;
        }

        _set.Abort();

        // Work still in the replicas' mailboxes reaches dead letters, where the library actor fails it.
        foreach (var replica in _replicaActors)
        {
            Context.Stop(replica);
        }
    }

    private void ReplicaTerminated(IActorRef replica)
    {
        _replicaActors.Remove(replica);
        if (_replicaActors.Count == 0 && _drained is { } drained)
        {
            var set = _set;
            (set?.Disposed() ?? Task.CompletedTask).ContinueWith(_ => drained.TrySetResult(), TaskScheduler.Default);
        }
    }
}
