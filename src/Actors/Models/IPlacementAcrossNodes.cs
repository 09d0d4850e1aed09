namespace ModelActors.Models;

/// <summary>
/// A placement whose other nodes are reached through Akka.Remote (ModelActors.Cluster's): the library's actor system must
/// be a node of their cluster, which <see cref="ModelLibrary"/> checks when it starts. A placement of another kind (a
/// test's, in one process) is not held to it.
/// </summary>
internal interface IPlacementAcrossNodes;
