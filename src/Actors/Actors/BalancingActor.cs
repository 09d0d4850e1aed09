using Akka.Actor;
using Akka.Routing;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// <see cref="RouterKind.Balancing"/> with several replicas: Akka's classic work-pulling pattern. This actor owns the
/// queue and its replicas (its children); a replica takes one work message at a time and tells this actor
/// <see cref="ReplicaFree"/> when it has finished it (and once loaded), so a free replica always gets the next request
/// and none waits behind a busy replica while another is free. Senders tell the work here (<c>replicas-{n}</c>, where a
/// pool router would be); told <c>Broadcast(PoisonPill)</c>, it hands out what is queued, then stops each replica after
/// its last call, then itself.
/// </summary>
/// <remarks>
/// Akka.NET has no BalancingPool (nor a balancing dispatcher), and a pool router pushes work into one replica's
/// mailbox when it is routed, where it waits behind that replica's call even if another finishes first. The price of
/// pulling is one hop more per request than a pool router (which routes on the sender's thread); a model with one
/// replica has nothing to balance and uses a pool router of one.
/// </remarks>
internal sealed class BalancingActor<TItem, TResult> : UntypedActor
{
    private static readonly SupervisorStrategy ReplicaStrategy = ReplicaSupervision.Strategy;

    private readonly ModelEntry<TItem, TResult> _entry;
    private readonly ReplicaSet<TItem, TResult> _set;
    private readonly System.Collections.Concurrent.ConcurrentQueue<IModelWork<TItem, TResult>> _queued = new(); // concurrent: an abort empties it from the model actor (ReplicaSet.Abort)
    private readonly Queue<IActorRef> _free = new();
    private readonly HashSet<IActorRef> _replicas = [];
    private readonly HashSet<IActorRef> _loaded = []; // replicas that reported free once: the others are loading, or their load failed
    private readonly HashSet<IActorRef> _stoppedUnloaded = []; // told to stop before they reported free: given no work after
    private bool _draining;

    public BalancingActor(ModelEntry<TItem, TResult> entry, ReplicaSet<TItem, TResult> set, Props replicaProps, int replicas)
    {
        _entry = entry;
        _set = set;
        set.AddBalancerQueue(_queued);
        set.AddMailboxOf(Context); // work told but not yet queued here is taken by an abort too
        for (var i = 0; i < replicas; i++)
        {
            _replicas.Add(Context.Watch(Context.ActorOf(replicaProps, $"replica-{i}")));
        }
    }

    protected override SupervisorStrategy SupervisorStrategy() => ReplicaStrategy;

    /// <summary>Stopped before it handed out everything (a drain deadline, a failed load, its system terminating): what is queued here or in its mailbox fails with a shutdown error.</summary>
    protected override void PostStop()
    {
        AbandonQueued();
        _set.Taken(_entry.AbandonMailbox(Context));
    }

    private void AbandonQueued()
    {
        while (_queued.TryDequeue(out var work))
        {
            _entry.Abandon(work);
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IModelWork<TItem, TResult> work:
                if (_free.TryDequeue(out var replica))
                {
                    replica.Tell(work, Self);
                }
                else
                {
                    _queued.Enqueue(work);
                    if (_set.Aborted)
                    {
                        AbandonQueued(); // the abort emptied the queue as this work was taken from the mailbox
                    }
                }

                break;
            case ReplicaFree when _stoppedUnloaded.Contains(Sender):
                break; // its load finished after the drain began: its stop is queued behind it
            case ReplicaFree:
                _loaded.Add(Sender);
                if (_queued.TryDequeue(out var next))
                {
                    Sender.Tell(next, Self);
                }
                else if (_draining)
                {
                    Sender.Tell(PoisonPill.Instance, Self);
                }
                else
                {
                    _free.Enqueue(Sender);
                }

                break;
            case Broadcast { Message: PoisonPill }:
                _draining = true;

                // A replica that never reported free will not: its load failed (or is still running; the pill waits behind it).
                foreach (var unloaded in _replicas.Where(r => !_loaded.Contains(r) && _stoppedUnloaded.Add(r)))
                {
                    unloaded.Tell(PoisonPill.Instance, Self);
                }

                if (_queued.IsEmpty)
                {
                    // Busy replicas stop when they next report free; free ones now.
                    while (_free.TryDequeue(out var free))
                    {
                        free.Tell(PoisonPill.Instance, Self);
                    }
                }

                break;
            case Terminated terminated:
                _replicas.Remove(terminated.ActorRef);
                _loaded.Remove(terminated.ActorRef);
                _stoppedUnloaded.Remove(terminated.ActorRef);
                RemoveFree(terminated.ActorRef); // never sent work again
                if (_replicas.Count == 0)
                {
                    Context.Stop(Self);
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void RemoveFree(IActorRef replica)
    {
        for (var i = _free.Count; i > 0; i--)
        {
            var free = _free.Dequeue();
            if (!free.Equals(replica))
            {
                _free.Enqueue(free);
            }
        }
    }
}

/// <summary>Replica → its <see cref="BalancingActor{TItem, TResult}"/>: loaded, or finished its work; send the next.</summary>
internal sealed class ReplicaFree
{
    public static readonly ReplicaFree Instance = new();
}
