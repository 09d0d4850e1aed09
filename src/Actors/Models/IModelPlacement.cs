using Akka.Actor;

namespace ModelActors;

/// <summary>
/// Where models' replicas run when a library spans several nodes (ModelActors.Cluster provides one; without one, every
/// model runs here). A model this node does not host still has its model actor and clients here, but no replicas: its
/// requests go as <see cref="ModelRequest{TItem}"/> messages through <see cref="CreateRemoteRouter"/> to the model
/// actors of the nodes that host it, and come back as <see cref="ModelReply{TResult}"/> or a failure.
/// </summary>
public interface IModelPlacement
{
    /// <summary>Whether this node runs replicas of model <paramref name="model"/>.</summary>
    /// <param name="model">The model's name.</param>
    /// <returns>True to load it here.</returns>
    bool HostsReplicas(string model);

    /// <summary>
    /// Creates, as a child of <paramref name="context"/>'s actor, the router over the actors of model
    /// <paramref name="model"/> on the nodes that host it (for example a cluster-aware router group by role).
    /// </summary>
    /// <param name="model">The model's name.</param>
    /// <param name="modelActorPath">The path of a model actor on every node, without address (<c>/user/model-actors/{model}</c>).</param>
    /// <param name="context">The model actor's context (the router's parent).</param>
    /// <returns>The router.</returns>
    IActorRef CreateRemoteRouter(string model, string modelActorPath, IActorContext context);

    /// <summary>
    /// Whether this node, which hosts model <paramref name="model"/>, also sends its own clients' requests to the other
    /// nodes that host it (round robin, itself included) instead of serving them all itself.
    /// </summary>
    /// <param name="model">The model's name.</param>
    /// <returns>True to spread them.</returns>
    bool SpreadsRequests(string model);

    /// <summary>
    /// Called when the library begins to stop, before its models refuse new requests and drain: a cluster node leaves the
    /// cluster here and waits until the others have seen it leave, so that nothing new is routed to it while it drains.
    /// </summary>
    /// <param name="system">This node's actor system.</param>
    /// <returns>A task that completes when the node may drain.</returns>
    Task BeforeDrainAsync(ActorSystem system);

    /// <summary>The addresses of the nodes that host model <paramref name="model"/> now (for <c>Describe()</c>).</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="system">This node's actor system.</param>
    /// <returns>The nodes' addresses; empty when unknown.</returns>
    IReadOnlyList<string> NodesHosting(string model, ActorSystem system);
}
