using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// Where a loaded model's work goes: its Akka pool router. Posting never blocks; the queue bound is kept here, since
/// Akka's mailboxes are unbounded (a bounded Akka mailbox would block the sender instead of refusing).
/// </summary>
internal interface IReplicaTarget<TItem, TResult>
{
    /// <summary>The Akka pool router over the replicas.</summary>
    Akka.Actor.IActorRef Ref { get; }

    /// <summary>Work accepted and not yet taken by a replica.</summary>
    int QueueDepth { get; }

    /// <summary>Replicas running a model call right now.</summary>
    int BusyReplicas { get; }

    /// <summary>Refuses new work from now on (work already accepted is still processed).</summary>
    void Close();

    /// <summary>Hands <paramref name="work"/> to the replicas; never blocks.</summary>
    PostResult Post(IModelWork<TItem, TResult> work);
}
