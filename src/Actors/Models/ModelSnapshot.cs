using ModelActors.Actors;
using ModelActors.Batching;

namespace ModelActors.Models;

/// <summary>What a model actor publishes about its model's life, for callers and <c>Describe()</c> to read.</summary>
/// <param name="State">The model's state.</param>
/// <param name="LoadDuration">How long the last successful load took.</param>
/// <param name="LastError">The last load error, cleared by a successful load.</param>
internal record ModelStatus(ModelState State, TimeSpan? LoadDuration, Exception? LastError);

/// <summary>
/// A model's published snapshot: its <see cref="ModelStatus"/> and, once loaded, where requests go (the replicas' router
/// and, with batching on, the batcher in front of it). Immutable; the model actor replaces it as the model's life moves on.
/// </summary>
/// <param name="State">The model's state.</param>
/// <param name="LoadDuration">How long the last successful load took.</param>
/// <param name="LastError">The last load error, cleared by a successful load.</param>
/// <param name="Pool">The loaded replicas (null until loaded).</param>
/// <param name="Batcher">The batcher in front of them when batching is on.</param>
/// <param name="Door">
/// On a node that hosts the model and spreads its clients' requests over the cluster: the door to the other nodes that host
/// it (a <see cref="Remote.RemoteDoorActor{TItem, TResult}"/>), taking its share of the clients' work.
/// </param>
internal sealed record ModelSnapshot<TItem, TResult>(
    ModelState State, TimeSpan? LoadDuration, Exception? LastError, IReplicaTarget<TItem, TResult>? Pool, Batcher<TItem, TResult>? Batcher, ReplicaSet<TItem, TResult>? Door = null)
    : ModelStatus(State, LoadDuration, LastError)
{
    /// <summary>A model that has not loaded.</summary>
    public static ModelSnapshot<TItem, TResult> Initial { get; } = new(ModelState.NotLoaded, null, null, null, null);
}
