namespace ModelActors.Models;

/// <summary>
/// A placement whose other nodes are reached through Akka.Remote (ModelActors.Cluster's): the library's actor system must
/// be a node of their cluster, which <see cref="ModelLibrary"/> checks when it starts. A placement of another kind (a
/// test's, in one process) is not held to it.
/// </summary>
internal interface IPlacementAcrossNodes
{
    /// <summary>
    /// Called once <paramref name="library"/> has started: starts what keeps its messages to other nodes under the
    /// smallest frame size of the nodes up (<see cref="ModelLibrary.UseSmallestFrameOfOtherNodes"/>).
    /// </summary>
    /// <param name="library">The library.</param>
    /// <returns>The actor doing so, stopped when the library is disposed.</returns>
    Akka.Actor.IActorRef Started(ModelLibrary library);
}
