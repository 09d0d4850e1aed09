using Akka.Hosting;
using Akka.Remote.Hosting;

namespace ModelActors.Cluster;

/// <summary>Puts a model library on an Akka cluster.</summary>
public static class ModelClusterExtensions
{
    /// <summary>
    /// Makes the library place models by <paramref name="options"/>: those this node hosts load here; the others are
    /// reached on the nodes that host them (<see cref="ModelClusterPlacement"/>). When Akka.Hosting sets up the library's
    /// actor system (<c>WithModelActors</c>, or <c>AddModelActors</c> alone) it also makes it a cluster node
    /// (<see cref="WithModelCluster"/>); an actor system made otherwise must be one already (<see cref="ModelClusterConfig.For"/>
    /// and <see cref="LeaveBeforeDrain.Register"/>). With <see cref="ModelClusterOptions.Enabled"/> off nothing changes.
    /// </summary>
    /// <param name="builder">The library builder.</param>
    /// <param name="options">This node's options.</param>
    /// <returns>The same builder.</returns>
    public static ModelLibraryBuilder UseCluster(this ModelLibraryBuilder builder, ModelClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return options.Enabled
            ? builder.Configure(o => o.Placement = new ModelClusterPlacement(options)).ConfigureAkka((akka, models) => akka.WithModelCluster(options, models))
            : builder;
    }

    /// <summary>
    /// Makes the actor system being configured a cluster node by <paramref name="options"/> (Akka.Remote on its address with
    /// the frame size, Akka.Cluster with its seed nodes and the roles of the models it hosts; on stop it leaves the cluster
    /// before its models drain, <see cref="LeaveBeforeDrain"/>); pair it with
    /// <see cref="UseCluster"/> in <c>WithModelActors</c>. With <see cref="ModelClusterOptions.Enabled"/> off nothing changes.
    /// </summary>
    /// <param name="builder">Akka.Hosting's builder.</param>
    /// <param name="options">This node's options.</param>
    /// <param name="models">The names of the registered models (the node's roles come from those it hosts).</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder WithModelCluster(this AkkaConfigurationBuilder builder, ModelClusterOptions options, IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(models);
        if (!options.Enabled)
        {
            return builder;
        }

        // The provider first: Akka.Hosting's WithRemoting otherwise chooses the remote provider, which wins over HOCON.
        return builder
            .WithActorRefProvider(Akka.Actor.ProviderSelection.Cluster.Instance)
            .WithRemoting(new RemoteOptions { HostName = options.Hostname, PublicHostName = options.PublicHostname, Port = options.Port })
            .AddHocon(ModelClusterConfig.Membership(options, models).WithFallback(ModelClusterConfig.FrameSize(options)), HoconAddMode.Prepend)
            .AddHocon(ModelActors.Actors.ModelActorsConfig.Default, HoconAddMode.Append) // the serializer: read when the system starts
            .AddStartup((system, _) => LeaveBeforeDrain.Register(system));
    }
}
