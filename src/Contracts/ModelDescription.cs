namespace ModelActors;

/// <summary>What <c>ModelLibrary.Describe()</c> reports about one model.</summary>
/// <param name="Name">The configuration name.</param>
/// <param name="ModelType">The model class.</param>
/// <param name="ItemType">The item type.</param>
/// <param name="ResultType">The result type.</param>
/// <param name="IsSync">Whether it is a sync model (a dedicated thread per replica).</param>
/// <param name="Replicas">The number of replicas.</param>
/// <param name="Router">How requests reach the replicas.</param>
/// <param name="Dependencies">Dependency keys and the model names they resolve to.</param>
/// <param name="State">The model's state now.</param>
/// <param name="LoadDuration">How long the last successful load took, or <see langword="null"/>.</param>
/// <param name="QueueDepth">Requests queued and not yet taken by a replica.</param>
/// <param name="BusyReplicas">Replicas handling a request now.</param>
/// <param name="Error">The last load failure's message, or <see langword="null"/>.</param>
public sealed record ModelDescription(
    string Name,
    Type ModelType,
    Type ItemType,
    Type ResultType,
    bool IsSync,
    int Replicas,
    RouterKind Router,
    IReadOnlyDictionary<string, string> Dependencies,
    ModelState State,
    TimeSpan? LoadDuration,
    int QueueDepth,
    int BusyReplicas,
    string? Error)
{
    /// <summary>The most items one call of the model takes when batching merges requests; 0 when batching is off.</summary>
    public int MaxBatchSize { get; init; }

    /// <summary>How long the oldest waiting item may wait for more (zero: what is queued goes when a replica is free); meaningful when <see cref="MaxBatchSize"/> is above 0.</summary>
    public TimeSpan MaxDelay { get; init; }

    /// <summary>How many requests may wait in the model's queue before new ones are refused as overloaded (compare <see cref="QueueDepth"/>).</summary>
    public int QueueCapacity { get; init; }

    /// <summary>
    /// On a cluster, the nodes that host the model's replicas now (those up and reachable, this one included when it hosts
    /// them), by Akka address, with the replicas each runs; null when the library is not on a cluster.
    /// </summary>
    public IReadOnlyDictionary<string, int>? ReplicasByNode { get; init; }
}
