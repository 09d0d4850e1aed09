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
}
