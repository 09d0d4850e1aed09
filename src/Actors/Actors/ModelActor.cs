using Akka.Actor;
using Akka.Event;
using Akka.Routing;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// The actor of one model (<c>/user/model-actors/{model}</c>), the single owner of its life: it loads the model
/// (dependencies first, then its replicas behind an Akka pool router — <see cref="RoundRobinPool"/>,
/// <see cref="SmallestMailboxPool"/>, <see cref="ConsistentHashingPool"/>, or for Balancing with several replicas a
/// <see cref="BalancingActor{TItem, TResult}"/> they pull from), retries a failed load with exponential backoff on an Akka
/// timer, holds the requests that arrive before the model has loaded and admits them in order once it has, answers
/// <see cref="ModelRequest{TItem}"/> from other actors, and drains on stop. Callers read what it publishes
/// (<see cref="ModelSnapshot{TItem, TResult}"/>: state, replicas, batcher); nothing else writes it.
/// </summary>
/// <remarks>
/// The backoff is this actor's own timer rather than a <c>BackoffSupervisor</c> around it: the failed
/// attempt, the scheduled retry and its log line happen in one step here, so <c>Describe()</c> and a
/// test driving Akka's <c>TestScheduler</c> see the retry the moment it is scheduled (a
/// BackoffSupervisor schedules it later, when it processes the child's <c>Terminated</c>). The replicas'
/// own supervision is Akka's: Resume (a prediction failure never reaches it; anything else keeps the
/// loaded instance).
/// </remarks>
internal sealed partial class ModelActor<TItem, TResult> : UntypedActor, IWithTimers
{
    private static readonly SupervisorStrategy ReplicaStrategy = ReplicaSupervision.Strategy;

    private readonly ModelEntry<TItem, TResult> _entry;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>
    /// Requests that arrived before the model loaded, in arrival order, their deadlines running (a caller's deadline
    /// includes the load): clients' work as they sent it, actors' <see cref="ModelRequest{TItem}"/>s made into work that
    /// answers the sender.
    /// </summary>
    private readonly Queue<IModelWork<TItem, TResult>> _held = new();

    public ModelActor(ModelEntry<TItem, TResult> entry)
    {
        _entry = entry;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    protected override SupervisorStrategy SupervisorStrategy() => ReplicaStrategy;

    /// <summary>Stopped by its supervisor (a bug here): nobody may wait forever for a load, a request or a stop.</summary>
    protected override void PostStop()
    {
        var error = new ModelStoppedException(_entry.Name, "its actor stopped before the model loaded.");
        FailHeld(error);
        FailLoadWaiters(new ModelLoadException(_entry.Name, _attempt, new InvalidOperationException($"The actor of model '{_entry.Name}' stopped.")));
        _entry.AbandonMailbox(Context); // what was told to it and not yet read (its system terminating under the library)
        _stopped?.TrySetResult();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IModelWork<TItem, TResult> work:
                Admit(work);
                break;
            case ModelRequest<TItem> request:
                Answer(request);
                break;
            case Remote.SignatureQuery:
                // Another node's door asks before it opens: a model not loaded yet starts loading (as a request would start
                // it); a model whose load failed waits for a request, or the server's retry, as it does for this node's callers.
                if (_entry.Snapshot.State == ModelState.NotLoaded && !_stopping)
                {
                    StartLoad();
                }

                Sender.Tell(Remote.SignatureAnswer.Of(_entry.Snapshot.State, _entry.Signature));
                break;
            case EnsureLoaded load:
                EnsureLoaded(load.Loaded);
                break;
            case Actors.DependenciesLoaded loaded when loaded.Load == _load && _loading:
                DependenciesLoaded(loaded.Error);
                break;
            case ReplicaLoaded loaded when _loading && ReferenceEquals(loaded.Set, _set):
                if (++_loadedReplicas == _set!.Replicas)
                {
                    LoadSucceeded();
                }

                break;
            case Actors.ReplicaLoadFailed failed when _loading && ReferenceEquals(failed.Set, _set):
                ReplicaLoadFailed(failed.Error);
                break;
            case RetryLoad retry when _loading && retry.Attempt == _attempt:
                StartReplicas();
                break;
            case StopModel stop:
                Stop(stop.Stopped);
                break;
            case AbortModel:
                Abort();
                break;
            case BatcherDrained drained when _stopping && ReferenceEquals(drained.Batcher, _entry.Snapshot.Batcher):
                DrainReplicas();
                break;
            case Terminated terminated:
                ReplicaTerminated(terminated.ActorRef);
                break;
            case ReplicasDisposed:
                Stopped();
                break;
            case Actors.DependenciesLoaded or ReplicaLoaded or Actors.ReplicaLoadFailed or RetryLoad or BatcherDrained:
                break; // from a load or a drain that was already given up
            case Remote.IModelRequest when !Sender.IsNobody():
                // A request of another item type: the sender is told, not left to its Ask's timeout.
                Sender.Tell(new Status.Failure(ModelErrors.Attach(new ModelTypeMismatchException(
                    $"Model '{_entry.Name}' takes {nameof(ModelRequest<TItem>)}<{typeof(TItem).Name}> (answered with {nameof(ModelReply<TResult>)}<{typeof(TResult).Name}>), not {Describe(message)}."), _entry.Name)));
                break; // answered: not an unhandled message (Akka would log it as one)
            default:
                Unhandled(message);
                break;
        }
    }

    private static string Describe(object message) =>
        message.GetType() is { IsGenericType: true } type
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(a => a.Name))}>"
            : message.GetType().Name;

    /// <summary>
    /// A client's request that arrived before the model loaded (or behind one that did): admitted once loaded, in the
    /// order the requests came; held meanwhile (the load starts if none is under way); refused if a stop came first
    /// (and failed with the stop's error if a stop ends the load they wait for).
    /// </summary>
    private void Admit(IModelWork<TItem, TResult> work)
    {
        if (_entry.Snapshot.Pool is not null)
        {
            _entry.AdmitFromActor(work);
        }
        else if (_stopping)
        {
            _entry.FailFromActor(work, _entry.Refused());
        }
        else
        {
            Hold(work);
        }
    }

    /// <summary>Holds <paramref name="work"/> until the model has loaded (starting the load unless one is under way).</summary>
    private void Hold(IModelWork<TItem, TResult> work)
    {
        _held.Enqueue(work);
        StartLoad();
    }

    /// <summary>
    /// Answers a request from an actor. Once the model is loaded it is posted at once, so requests reach the replicas in
    /// the order this actor received them; before, it is held (its deadline running) while the model loads and posted in order after. The
    /// work itself tells the reply on the thread that settles it, so the replies of one replica leave in the order it
    /// finished them (a thread-pool continuation, as <c>PipeTo</c> uses, could overtake another).
    /// </summary>
    private void Answer(ModelRequest<TItem> request)
    {
        if (_stopping || _entry.IsRefusing)
        {
            _entry.ReplyTo(Sender).Fail(_entry.RefusedAtOnce());
        }
        else if (_entry.Definition.Fallback is not null)
        {
            // With a fallback the answer may come from another model (also when the load fails): awaited, then told;
            // no order is promised. The request's own timeout holds (another node's router gives the time its caller has left).
            if (!_entry.AnsweredAtOnce(request, Sender))
            {
                _ = ReplyAsync(_entry.ReplyTo(Sender), _entry.PredictChunkAsync(request.Items, request.CancellationToken, new Caller(Blocking: false, Timeout: request.Timeout)));
            }
        }
        else if (_entry.Snapshot.Pool is not null)
        {
            _entry.PostRequest(request, Sender);
        }
        else if (_entry.HoldRequest(request, Sender) is { } work)
        {
            Hold(work);
        }
    }

    private static async Task ReplyAsync(Remote.ReplyTo replyTo, ValueTask<IReadOnlyList<TResult>> pending)
    {
        IReadOnlyList<TResult> results;
        try
        {
            results = await pending.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            replyTo.Fail(exception);
            return;
        }

        replyTo.Answer(results);
    }

    /// <summary>
    /// The model has loaded: the requests held meanwhile are admitted in the order they came (one at a time off the
    /// queue, so if admitting one throws, <see cref="PostStop"/> still answers the rest).
    /// </summary>
    private void AdmitHeld()
    {
        while (_held.TryDequeue(out var work))
        {
            _entry.AdmitFromActor(work);
        }
    }

    /// <summary>The load the held requests waited for failed, or a stop ended it: each is answered with <paramref name="error"/>.</summary>
    private void FailHeld(Exception error)
    {
        while (_held.TryDequeue(out var work))
        {
            _entry.FailFromActor(work, error);
        }
    }
}
