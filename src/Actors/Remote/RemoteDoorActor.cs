using Akka.Actor;
using Akka.Routing;
using ModelActors.Actors;
using ModelActors.Models;

namespace ModelActors.Remote;

/// <summary>
/// The door of a model this node does not host (<see cref="IModelPlacement.HostsReplicas"/> false): where the model's
/// replicas' router would be. Each work told here leaves as a <see cref="ModelRequest{TItem}"/> (its items, the time its
/// caller has left) through the placement's router to a model actor on a node that hosts the model, where it joins that
/// node's queue and batches; the <see cref="ModelReply{TResult}"/> or failure that comes back settles the work. A request
/// too large to cross fails at once. Told <c>Broadcast(PoisonPill)</c> (the model's drain), it stops once every request
/// in flight is answered. The door opens (the model counts as loaded here) once its router has a node to send to and that
/// node has loaded the model (it tells what the model reports of itself, an ONNX model's tensor signature, which this node
/// then describes); until then the model actor holds the model's requests, their deadlines running.
/// </summary>
internal sealed class RemoteDoorActor<TItem, TResult> : UntypedActor, IWithTimers
{
    /// <summary>How often a door not open yet asks its router for its nodes (a cluster router tells nobody when it gains one).</summary>
    private static readonly TimeSpan RouteeCheck = TimeSpan.FromMilliseconds(100);


    /// <summary>How long after its caller's deadline an unanswered request's wait is given up (the work has failed by then).</summary>
    private static readonly TimeSpan AskGrace = TimeSpan.FromSeconds(1);

    private readonly ModelEntry<TItem, TResult> _entry;
    private readonly ReplicaSet<TItem, TResult> _set;
    private readonly IActorRef _router;
    private readonly bool _announce;
    private int _inFlight;
    private bool _draining;
    private bool _open;
    private bool _asking;
    private long _checks;

    /// <summary>A door not open asks a node whether it has loaded the model every this many routee checks (once a second).</summary>
    private const int QueryEvery = 10;

    /// <param name="entry">The model.</param>
    /// <param name="set">The door's own set (where work is told, the queue bound, the count of nodes it reaches).</param>
    /// <param name="placement">The placement that makes its router.</param>
    /// <param name="announce">
    /// True for a model this node does not host: the door tells the model actor it is loaded once a hosting node has
    /// loaded the model. False for the door of a node that hosts the model and spreads its clients' work: its replicas make
    /// the model loaded, and the door takes work only while it reaches other nodes.
    /// </param>
    public RemoteDoorActor(ModelEntry<TItem, TResult> entry, ReplicaSet<TItem, TResult> set, IModelPlacement placement, bool announce)
    {
        _entry = entry;
        _set = set;
        _announce = announce;
        _router = placement.CreateRemoteRouter(entry.Name, entry.ModelActor.Path.ToStringWithoutAddress(), Context);
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => _router.Tell(GetRoutees.Instance);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IModelWork<TItem, TResult> work:
                _set.Taken();
                Send(work);
                break;
            case Routees routees:
                _set.RemoteNodes = routees.Members.Count();
                if (_announce && !_open && !_asking && _set.RemoteNodes > 0 && _checks++ % QueryEvery == 0)
                {
                    _asking = true;
                    _router.Ask<SignatureAnswer>(SignatureQuery.Instance, SignatureQuery.Instance.Timeout!.Value + AskGrace)
                        .PipeTo(Self, failure: _ => new SignatureAnswer(false, null, null));
                }

                if (_announce && !_open)
                {
                    Timers.StartSingleTimer("routees", CheckRoutees.Instance, RouteeCheck);
                }

                break;
            case RemoteNodesChanged changed:
                _set.RemoteNodes = changed.Count;
                break;
            case SignatureAnswer answer when !_open:
                _asking = false;
                if (answer.Loaded)
                {
                    if (answer.Read() is { } signature)
                    {
                        _entry.UseSignature(signature);
                    }

                    _open = true;
                    _set.ModelActor.Tell(new ReplicaLoaded(_set));
                }

                break; // not loaded there yet: the next check asks again
            case CheckRoutees:
                _router.Tell(GetRoutees.Instance);
                break;
            case Answered:
                _inFlight--;
                StopWhenDrained();
                break;
            case Broadcast { Message: PoisonPill }:
                _draining = true;
                StopWhenDrained();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Send(IModelWork<TItem, TResult> work)
    {
        _entry.Events.Taken(1);
        if (_set.Aborted)
        {
            _entry.Abandon(work);
            return;
        }

        if (!work.TryBegin())
        {
            work.Release(); // timed out or cancelled while queued here
            return;
        }

        var time = _entry.Library.TimeProvider;
        var left = time.GetElapsedTime(time.GetTimestamp(), work.Deadline);
        var request = new ModelRequest<TItem>(work.Items) { Timeout = left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1) };
        Exception? refused;
        try
        {
            refused = ReplyTo.Oversized(request, "the request", _entry.Name, _entry.Library.FrameLimit);
        }
        catch (Exception error)
        {
            // Its items cannot be written for the wire (a codec's error, a value JSON refuses): the caller is told why.
            refused = ModelErrors.Attach(new ArgumentException($"The request to model '{_entry.Name}' cannot be sent to the node that hosts it: {error.Message}", error), _entry.Name);
        }

        if (refused is not null)
        {
            _entry.Events.Failed();
            work.Fail(refused);
            work.Release();
            return;
        }

        _inFlight++;
        var self = Self;
        _router.Ask<ModelReply<TResult>>(request, request.Timeout + AskGrace, work.CancellationToken).ContinueWith(
            static (answer, state) =>
            {
                var (work, self, model) = ((IModelWork<TItem, TResult>, IActorRef, string))state!;
                if (answer.IsCompletedSuccessfully && answer.Result.Results.Count != work.Count)
                {
                    work.Fail(new ModelResultCountException(model, work.Count, answer.Result.Results.Count));
                }
                else if (answer.IsCompletedSuccessfully)
                {
                    work.Complete(answer.Result.Results);
                }
                else
                {
                    work.Fail(answer.Exception?.InnerException ?? new OperationCanceledException());
                }

                work.Release();
                self.Tell(Answered.Instance);
            },
            (work, self, _entry.Name),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void StopWhenDrained()
    {
        if (_draining && _inFlight == 0)
        {
            Context.Stop(Self);
        }
    }

    /// <summary>Time to ask the router for its routees again.</summary>
    private sealed class CheckRoutees
    {
        public static readonly CheckRoutees Instance = new();
    }

    /// <summary>A request in flight was settled.</summary>
    private sealed class Answered
    {
        public static readonly Answered Instance = new();
    }
}
