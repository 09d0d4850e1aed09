using Akka.Actor;
using ModelActors.Models;

namespace ModelActors;

/// <summary>The library on several nodes: the actor system it needs, and the largest message it sends to another node.</summary>
public sealed partial class ModelLibrary
{
    private readonly long _ownFrameLimit;
    private long _otherNodesFrameLimit = long.MaxValue;

    /// <summary>
    /// The largest message the library sends to another node: the smaller of this node's frame size (Akka.Remote's; none
    /// without remoting) and the smallest of the other nodes up (a message over the receiver's frame is dropped with the
    /// link to that node, which then counts as unreachable).
    /// </summary>
    internal long FrameLimit => Math.Min(_ownFrameLimit, Volatile.Read(ref _otherNodesFrameLimit));

    /// <summary>Keeps messages to other nodes under <paramref name="bytes"/>, the smallest frame size of the other nodes up (<see cref="long.MaxValue"/>: none).</summary>
    internal void UseSmallestFrameOfOtherNodes(long bytes) => Volatile.Write(ref _otherNodesFrameLimit, bytes);

    /// <summary>
    /// A library that places models on other nodes (<c>UseCluster</c>) needs an actor system that can reach them: a local
    /// one (<c>ModelLibrary.CreateBuilder().Build()</c> makes one; Akka.Hosting makes the system a cluster node) would only
    /// fail later, at each request to a model hosted elsewhere, after its deadline.
    /// </summary>
    private static void CheckPlacementCanReachNodes(ModelLibraryOptions options, ActorSystem system)
    {
        if (options.Placement is not IPlacementAcrossNodes || ((ExtendedActorSystem)system).Provider.DefaultAddress.HasGlobalScope)
        {
            return;
        }

        throw new ModelRegistrationException([
            $"The library places models on other nodes (UseCluster), but its actor system '{system.Name}' is local: it cannot "
            + "be a cluster node. Register the library with Akka.Hosting (services.AddModelActors(m => m....UseCluster(options)) "
            + "makes its system a cluster node), or pass UseActorSystem(system) a system configured as one "
            + "(ModelClusterConfig.For(options, models), LeaveBeforeDrain.Register(system)).",
        ]);
    }
}
