using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Routing;
using ModelActors.Remote;

namespace ModelActors.Cluster;

/// <summary>
/// The cluster-aware router of one model on a node that does not host it (or that spreads its requests): round robin over
/// the model actors of the other nodes whose role is <c>model:{name}</c> and that are up and reachable, from Akka.Cluster's
/// membership events. It
/// forwards each <see cref="ModelRequest{TItem}"/> and relays its answer to the sender, keeping each request in flight
/// with the node it went to, so that:
/// <list type="bullet">
/// <item>a node that leaves gets no new requests from the moment it is seen leaving, and answers those it has (it drains);</item>
/// <item>a request a node refused because it was stopping (it never ran) goes once to another node;</item>
/// <item>when the node of a request in flight becomes unreachable or is downed, the request fails at once with
/// <see cref="ModelUnavailableException"/> or, for a model marked idempotent, goes once to another node; an answer
/// that still comes from the lost node is dropped, so no sender is answered twice.</item>
/// </list>
/// </summary>
/// <remarks>
/// Not Akka's <c>ClusterRouterGroup</c>: it routes the same way (by role, over up members), but does not tell which node
/// a message went to, so requests in flight on a node that dies could only wait for their deadlines. It answers
/// <see cref="GetRoutees"/> as Akka's routers do (its nodes' model actors).
/// </remarks>
internal sealed class ClusterModelRouter : UntypedActor
{
    /// <summary>How long after a request's deadline its answer is given up (its caller has failed it by then).</summary>
    private static readonly TimeSpan AskGrace = TimeSpan.FromSeconds(1);

    private readonly string _model;
    private readonly string[] _path;
    private readonly string _role;
    private readonly bool _idempotent;
    private readonly TimeSpan _defaultTimeout;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly List<Address> _nodes = [];
    private readonly HashSet<Address> _unreachable = [];
    private readonly Dictionary<long, Pending> _pending = [];
    /// <summary>Request ids, unique in the process: answers piped to an earlier incarnation of a restarted router never match.</summary>
    private static long s_ids;
    private int _next;

    public ClusterModelRouter(string model, string modelActorPath, bool idempotent, TimeSpan defaultTimeout)
    {
        _model = model;
        _path = modelActorPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        _role = ModelClusterOptions.RoleOf(model);
        _idempotent = idempotent;
        _defaultTimeout = defaultTimeout;
    }

    /// <summary>The nodes requests go to now (a test seam and what <see cref="GetRoutees"/> reports).</summary>
    internal IReadOnlyList<Address> Nodes => _nodes;

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    /// <summary>Stopped (the model's drain ended): whoever still waits is told.</summary>
    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        foreach (var pending in _pending.Values)
        {
            pending.ReplyTo.Tell(new Status.Failure(new ModelStoppedException(_model, "this node stopped before another node answered.")));
        }

        _pending.Clear();
    }

    protected override void OnReceive(object message)
    {
        var before = _nodes.Count;
        Handle(message);
        if (_nodes.Count != before)
        {
            Context.Parent.Tell(new RemoteNodesChanged(_nodes.Count)); // the door: how many nodes it reaches now
        }
    }

    private void Handle(object message)
    {
        switch (message)
        {
            case IModelRequest request:
                var timeout = request.Timeout ?? _defaultTimeout;
                Route(new Pending(request.Timeout is null ? request.WithTimeout(timeout) : request, Sender, Node: null, Retried: false, Started: Stopwatch.GetTimestamp(), Timeout: timeout));
                break;
            case Answer answer:
                Answered(answer);
                break;
            case GetRoutees:
                Sender.Tell(new Routees([.. _nodes.Select(n => new ActorSelectionRoutee(Context.ActorSelection(PathOn(n))))]));
                break;
            case ClusterEvent.MemberUp up when up.Member.HasRole(_role) && up.Member.Address != _cluster.SelfAddress:
                if (!_unreachable.Contains(up.Member.Address) && !_nodes.Contains(up.Member.Address))
                {
                    _nodes.Add(up.Member.Address);
                }

                break;
            case ClusterEvent.ReachableMember back when back.Member.HasRole(_role) && back.Member.Address != _cluster.SelfAddress:
                _unreachable.Remove(back.Member.Address);
                if (back.Member.Status == MemberStatus.Up && !_nodes.Contains(back.Member.Address))
                {
                    _nodes.Add(back.Member.Address);
                }

                break;
            case ClusterEvent.UnreachableMember lost when lost.Member.HasRole(_role):
                _unreachable.Add(lost.Member.Address);
                Lose(lost.Member.Address, "became unreachable");
                break;
            case ClusterEvent.MemberRemoved removed when removed.Member.HasRole(_role):
                _unreachable.Remove(removed.Member.Address);
                if (removed.PreviousStatus == MemberStatus.Down)
                {
                    Lose(removed.Member.Address, "was downed");
                }
                else
                {
                    _nodes.Remove(removed.Member.Address); // it left gracefully: what it still runs, it answers
                }

                break;
            case ClusterEvent.IMemberEvent other when other.Member.HasRole(_role) && other.Member.Status != MemberStatus.Up:
                _nodes.Remove(other.Member.Address); // leaving, exiting or down: no new requests
                break;
            case ClusterEvent.IMemberEvent or ClusterEvent.IReachabilityEvent or ClusterEvent.CurrentClusterState:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Route(Pending pending)
    {
        var candidates = pending.Node is { } tried ? _nodes.Where(n => n != tried).ToList() : _nodes;
        if (candidates.Count == 0)
        {
            pending.ReplyTo.Tell(new Status.Failure(new ModelUnavailableException(_model, $"no node that hosts it (role {_role}) is reachable.")));
            return;
        }

        var left = pending.Timeout - Stopwatch.GetElapsedTime(pending.Started); // monotonic: a wall-clock step moves no deadline
        if (left <= TimeSpan.Zero)
        {
            var timedOut = new TimeoutException($"Model '{_model}' did not answer within its deadline (its node was lost or refused the request, and no time was left to send it again).");
            timedOut.Data[ModelErrors.ModelNameKey] = _model;
            pending.ReplyTo.Tell(new Status.Failure(timedOut));
            return;
        }

        var node = candidates[(int)((uint)_next++ % (uint)candidates.Count)];
        var id = Interlocked.Increment(ref s_ids);
        var request = pending.Retried ? pending.Request.WithTimeout(left) : pending.Request; // a retry gets the time that is left
        _pending[id] = pending with { Node = node, Request = request };
        Context.ActorSelection(PathOn(node)).Ask<object>(request, left + AskGrace).PipeTo(
            Self,
            success: reply => new Answer(id, reply, null),
            failure: error => new Answer(id, null, error));
    }

    private void Answered(Answer answer)
    {
        if (!_pending.Remove(answer.Id, out var pending))
        {
            return; // its node was lost and the request failed or went elsewhere: this late answer is dropped
        }

        if (answer.Error is ModelStoppedException && !pending.Retried && _nodes.Any(n => n != pending.Node))
        {
            // The node was stopping and refused it (or stopped before running it): it never ran, so another node may.
            Route(pending with { Retried = true });
            return;
        }

        pending.ReplyTo.Tell(answer.Error is { } error ? new Status.Failure(error) : answer.Reply!);
    }

    /// <summary>
    /// Node <paramref name="node"/> is gone with requests in flight: each fails at once, or (an idempotent model) goes once
    /// to another node.
    /// </summary>
    private void Lose(Address node, string what)
    {
        _nodes.Remove(node);
        foreach (var (id, pending) in _pending.Where(p => p.Value.Node == node).ToList())
        {
            _pending.Remove(id);
            if (_idempotent && !pending.Retried && _nodes.Count > 0)
            {
                Route(pending with { Retried = true });
            }
            else
            {
                pending.ReplyTo.Tell(new Status.Failure(new ModelUnavailableException(_model, $"node {node} running the request {what}; the request may or may not have run there.")));
            }
        }
    }

    private ActorPath PathOn(Address node) => _path.Aggregate((ActorPath)new RootActorPath(node), (path, element) => path / element);

    /// <summary>A request in flight: who is answered, and the node it went to.</summary>
    private sealed record Pending(IModelRequest Request, IActorRef ReplyTo, Address? Node, bool Retried, long Started, TimeSpan Timeout);

    /// <summary>A node's answer to request <paramref name="Id"/> (or the failure to get one).</summary>
    private sealed record Answer(long Id, object? Reply, Exception? Error);
}
