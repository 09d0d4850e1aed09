using Akka.Event;
using Akka.Actor;
using Akka.Routing;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>Loading: dependencies first, then one replica actor per replica behind the model's router; retries with backoff.</summary>
internal sealed partial class ModelActor<TItem, TResult>
{
    private readonly List<TaskCompletionSource> _loadWaiters = [];
    private readonly List<IActorRef> _replicaActors = [];
    private ReplicaSet<TItem, TResult>? _set;
    private ReplicaSet<TItem, TResult>? _door; // a spreading node's door to the other nodes that host the model
    private bool _loading;
    private int _load;
    private long _loadStarted;
    private int _attempt;
    private int _generation;
    private int _loadedReplicas;
    private bool _attemptFailed;

    private void EnsureLoaded(TaskCompletionSource loaded)
    {
        if (_entry.Snapshot.State == ModelState.Ready)
        {
            loaded.TrySetResult();
        }
        else if (_stopping)
        {
            loaded.TrySetException(new ModelStoppedException(_entry.Name, "the library is stopping."));
        }
        else
        {
            _loadWaiters.Add(loaded);
            StartLoad();
        }
    }

    /// <summary>Starts a load unless one is under way: the model's dependencies load first (each once, however many wait).</summary>
    private void StartLoad()
    {
        if (_loading)
        {
            return;
        }

        _loading = true;
        _load++;
        _loadStarted = _entry.Library.TimeProvider.GetTimestamp();
        _entry.Publish(_entry.Snapshot with { State = ModelState.Loading });

        // A model hosted on other nodes: its dependencies are theirs to load. Dependencies hosted on other nodes are not
        // waited for either: calls to them wait (their deadlines running) until a node that hosts them is reachable.
        var library = _entry.Library;
        var dependencies = _entry.Placement is null
            ? _entry.Definition.Dependencies.Values.Distinct().Where(d => library.Entry(d).IsHostedHere).ToArray()
            : [];
        if (dependencies.Length == 0)
        {
            DependenciesLoaded(null);
            return;
        }

        var self = Self;
        var load = _load;
        Task.WhenAll(dependencies.Select(d => library.Entry(d).EnsureLoadedAsync(library.Stopping))).ContinueWith(
            loads => self.Tell(new DependenciesLoaded(load, loads.IsCompletedSuccessfully ? null : loads.Exception?.InnerException ?? new OperationCanceledException())),
            TaskScheduler.Default);
    }

    private void DependenciesLoaded(Exception? error)
    {
        if (error is not null)
        {
            LoadEnded(error);
            return;
        }

        _attempt = 0;
        StartReplicas();
    }

    private void StartReplicas()
    {
        _attempt++;
        _generation++; // actor names stay unique while an earlier load's replicas are still stopping
        _loadedReplicas = 0;
        _attemptFailed = false;
        var definition = _entry.Definition;
        // A model hosted on other nodes has one door here (its replicas are theirs).
        var set = new ReplicaSet<TItem, TResult>(_entry.Placement is null ? definition.Replicas : 1, _entry.ReplicaQueueCapacity, Self, _generation);
        _set = set;
        set.Pulls = definition.Router == RouterKind.Balancing && definition.Replicas > 1;
        var props = ReplicaActor<TItem, TResult>.PropsFor(_entry, set);
        var door = _entry.Placement is { } placement
            ? Props.Create(typeof(Remote.RemoteDoorActor<TItem, TResult>), _entry, set, placement, true)
            : set.Pulls
            ? Props.Create(typeof(BalancingActor<TItem, TResult>), _entry, set, props, definition.Replicas).WithDispatcher(ModelActorsConfig.AsyncDispatcherId) // not the .NET pool alone: blocked callers may hold it
            : props.WithRouter(PoolFor(definition));
        set.Router = Context.Watch(Context.ActorOf(door, $"replicas-{_generation}"));
        _replicaActors.Add(set.Router);
        if (_entry.Spread is { } spread)
        {
            // This node hosts the model and spreads its clients' work: a door to the other nodes takes their turns.
            _door = new ReplicaSet<TItem, TResult>(1, _entry.QueueCapacity, Self, _generation);
            _door.Router = Context.Watch(Context.ActorOf(Props.Create(typeof(Remote.RemoteDoorActor<TItem, TResult>), _entry, _door, spread, false), $"door-{_generation}"));
            _replicaActors.Add(_door.Router);
        }
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

    /// <summary>Every replica loaded: the batcher (if any) starts, the snapshot says Ready, waiters and held requests go on.</summary>
    private void LoadSucceeded()
    {
        var set = _set!;
        var duration = _entry.Library.TimeProvider.GetElapsedTime(_loadStarted);
        _loading = false;
        _entry.Publish(new ModelSnapshot<TItem, TResult>(ModelState.Ready, duration, null, set, _entry.CreateBatcher(set), _door));
        ModelLog.Loaded(_entry.Logger, _entry.Name, set.Replicas, duration.TotalMilliseconds);
        foreach (var waiter in _loadWaiters)
        {
            waiter.TrySetResult();
        }

        _loadWaiters.Clear();
        AdmitHeld();
    }

    private void ReplicaLoadFailed(Exception error)
    {
        if (_attemptFailed)
        {
            return; // another replica of this attempt failed first: the attempt is already given up and its retry scheduled
        }

        _attemptFailed = true;
        StopReplicas(_set!);
        var retries = _entry.LoadRetries;
        var configuration = error is ModelRegistrationException or ModelDependencyException or ModelTypeMismatchException;
        if (_attempt > retries || configuration)
        {
            // A configuration error (ModelRegistrationException: a missing file setting, declarations the file does not
            // match; a dependency asked for under a key not declared, or as other types) comes back on every attempt:
            // retried, it would only hold back the models loading after it.
            _log.Error(error, "Model '{0}' failed to load after {1} attempt(s); giving up{2}", _entry.Name, _attempt, configuration ? " (its configuration is wrong: not retried)" : string.Empty);
            _set = null;
            LoadEnded(new ModelLoadException(_entry.Name, _attempt, error));
            return;
        }

        var delay = _entry.Backoff(_attempt);
        _entry.Publish(_entry.Snapshot with { LastError = error }); // Describe reports it while the retry waits
        Timers.StartSingleTimer("load", new RetryLoad(_attempt), delay);
        _log.Warning("Model '{0}' failed to load (attempt {1} of {2}): {3}; retrying in {4} ms", _entry.Name, _attempt, retries + 1, error.Message, delay.TotalMilliseconds);
    }

    /// <summary>The load failed for good (its retries ran out, or a dependency failed): the model is Failed until the next request tries again.</summary>
    private void LoadEnded(Exception error)
    {
        _loading = false;
        _entry.Publish(_entry.Snapshot with { State = ModelState.Failed, LastError = error });
        FailLoadWaiters(error);
        FailHeld(error);
    }

    private void FailLoadWaiters(Exception error)
    {
        foreach (var waiter in _loadWaiters)
        {
            waiter.TrySetException(error);
        }

        _loadWaiters.Clear();
    }

    /// <summary>
    /// Stops a load's replicas that will not serve (the load failed, or a stop gave it up): each finishes the load it is
    /// in first (a <c>PoisonPill</c> waits behind it), so every instance that loads is disposed. Stopping a replica in the
    /// middle of its load would drop the load's continuations, which run on the actor (Akka's task scheduler).
    /// </summary>
    private void StopReplicas(ReplicaSet<TItem, TResult> set)
    {
        set.Close();
        set.Router.Tell(new Broadcast(PoisonPill.Instance));
        if (_door is { } door)
        {
            door.Close();
            door.Router.Tell(new Broadcast(PoisonPill.Instance));
            _door = null;
        }
    }
}
