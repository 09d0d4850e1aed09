namespace ModelActors;

/// <summary>How a model's router pool hands requests to its replicas.</summary>
public enum RouterKind
{
    /// <summary>Replicas pull from one queue (Akka's work-pulling pattern): a free replica always takes the next request. The default.</summary>
    Balancing = 0,

    /// <summary>Each replica has its own queue; requests go to the replicas in turn.</summary>
    RoundRobin = 1,

    /// <summary>Each replica has its own queue; a request goes to the replica with the least work, counting the request it is processing.</summary>
    SmallestMailbox = 2,

    /// <summary>
    /// Akka's <c>ConsistentHashingPool</c>: every request with the same key goes to the same replica, for models that keep
    /// state per key (a conversation, an audio stream). The key is the item's <c>Akka.Routing.IConsistentHashable.ConsistentHashKey</c>
    /// when it implements that interface, else the item itself (a string, byte array, number, Guid or other formattable
    /// value); a request of several items goes where its first item's key goes. Cannot be combined with batching.
    /// </summary>
    ConsistentHashing = 3,
}
