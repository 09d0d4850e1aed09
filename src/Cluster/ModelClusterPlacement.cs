using Akka.Actor;
using Akka.Cluster.Routing;
using Akka.Routing;

namespace ModelActors.Cluster;

/// <summary>
/// Models on the cluster's nodes by role: this node hosts the models its <see cref="ModelClusterOptions.Models"/> name;
/// any other model is reached through a <see cref="ClusterRouterGroup"/> over the model actors
/// (<c>/user/model-actors/{model}</c>) of the nodes whose role is <c>model:{name}</c>, round robin. Requests join the
/// queue and batches of the node that runs them.
/// </summary>
/// <param name="options">This node's options.</param>
public sealed class ModelClusterPlacement(ModelClusterOptions options) : IModelPlacement
{
    /// <summary>The most routees a model's router keeps (one per node that hosts it).</summary>
    private const int MaxNodes = 10_000;

    /// <inheritdoc />
    public bool HostsReplicas(string model) => options.Hosts(model);

    /// <inheritdoc />
    public IActorRef CreateRemoteRouter(string model, string modelActorPath, IActorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var group = new ClusterRouterGroup(
            new RoundRobinGroup([modelActorPath]),
            new ClusterRouterGroupSettings(MaxNodes, [modelActorPath], allowLocalRoutees: false, useRole: ModelClusterOptions.RoleOf(model)));
        return context.ActorOf(group.Props(), "nodes");
    }
}
