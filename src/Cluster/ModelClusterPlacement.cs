using Akka.Actor;

namespace ModelActors.Cluster;

/// <summary>
/// Models on the cluster's nodes by role: this node hosts the models its <see cref="ModelClusterOptions.Models"/> name;
/// any other model is reached through a cluster-aware router over the model actors (<c>/user/model-actors/{model}</c>)
/// of the nodes whose role is <c>model:{name}</c>, round robin, with fail-over (<see cref="ClusterModelRouter"/>).
/// Requests join the queue and batches of the node that runs them.
/// </summary>
/// <param name="options">This node's options.</param>
public sealed class ModelClusterPlacement(ModelClusterOptions options) : IModelPlacement, Models.IPlacementAcrossNodes
{
    /// <inheritdoc />
    public bool HostsReplicas(string model) => options.Hosts(model);

    /// <inheritdoc />
    public Task BeforeDrainAsync(ActorSystem system) => LeaveBeforeDrain.LeaveAsync(system);

    /// <inheritdoc />
    public bool SpreadsRequests(string model) => !options.PreferLocal && options.Hosts(model);

    /// <inheritdoc />
    public IReadOnlyList<string> NodesHosting(string model, ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var state = Akka.Cluster.Cluster.Get(system).State;
        var role = ModelClusterOptions.RoleOf(model);
        return [.. state.Members
            .Where(m => m.Status == Akka.Cluster.MemberStatus.Up && m.HasRole(role) && !state.Unreachable.Contains(m))
            .Select(m => m.Address.ToString())
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Watches the frame sizes of the other nodes for <paramref name="library"/> (<see cref="FrameSizes"/>).</summary>
    IActorRef Models.IPlacementAcrossNodes.Started(ModelLibrary library) =>
        library.ActorSystem.ActorOf(Props.Create(() => new FrameSizes(library, options.MaximumFrameSize)), $"{library.Options.ActorName}-frame-sizes");

    /// <inheritdoc />
    public IActorRef CreateRemoteRouter(string model, string modelActorPath, IActorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var props = Props.Create(() => new ClusterModelRouter(model, modelActorPath, options.IdempotentModels.Contains(model), options.RequestTimeout));
        return context.ActorOf(props, "nodes");
    }
}
