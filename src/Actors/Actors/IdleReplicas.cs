using System.Collections.Concurrent;
using Akka.Actor;

namespace ModelActors.Actors;

/// <summary>
/// Balancing's idle replicas: a replica with nothing to pull parks here, and a sender that finds one
/// claims it and tells it the work directly (one hop, as a router's <c>Tell</c>), instead of writing to
/// the shared queue and waking a reader (two hops). Lock-free: a replica's <see cref="Slot"/> is idle
/// while its state is 1, and exactly one party (a sender, <c>Close</c>, or the replica itself) wins the
/// compare-and-swap that takes it back to 0. Entries whose slot was taken back by the replica itself
/// stay in the queue as stale entries; claimers skip them.
/// </summary>
/// <remarks>
/// Our own code because Akka.NET has no BalancingPool and its work-pulling examples route every request
/// through a coordinator actor (an extra hop per call, measured in docs/BENCHMARKS.md §1).
/// A <see cref="ConcurrentQueue{T}"/> (not a stack) so parking allocates nothing and the least recently
/// idle replica is claimed first.
/// </remarks>
internal sealed class IdleReplicas
{
    private readonly ConcurrentQueue<Slot> _parked = new();

    /// <summary>Makes <paramref name="slot"/> claimable (the replica found no work).</summary>
    public void Park(Slot slot)
    {
        Volatile.Write(ref slot.State, 1);
        _parked.Enqueue(slot);
    }

    /// <summary>The replica takes itself back (it found work after parking); false when someone claimed it first, whose message is on its way.</summary>
    public static bool TryUnpark(Slot slot) => Interlocked.CompareExchange(ref slot.State, 0, 1) == 1;

    /// <summary>Claims an idle replica; the caller then owes it exactly one message (work or a wake-up).</summary>
    public bool TryClaim(out IActorRef replica)
    {
        while (_parked.TryDequeue(out var slot))
        {
            if (Interlocked.CompareExchange(ref slot.State, 0, 1) == 1)
            {
                replica = slot.Replica;
                return true;
            }
        }

        replica = ActorRefs.Nobody;
        return false;
    }

    /// <summary>One replica's place in the idle queue.</summary>
    /// <param name="replica">The replica actor.</param>
    internal sealed class Slot(IActorRef replica)
    {
        /// <summary>1 while the replica is parked and unclaimed, else 0.</summary>
        public int State;

        /// <summary>The replica actor.</summary>
        public IActorRef Replica { get; } = replica;
    }
}
