using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>Library actor → itself at start: create one model actor per registered model.</summary>
internal sealed record StartModels(IReadOnlyList<ModelEntry> Entries);

/// <summary>The library actor's answer to <see cref="StartModels"/>: every model actor exists.</summary>
internal sealed record ModelsStarted;

/// <summary>Tells the library actor to stop the actors of models removed at run time (after their drain); it answers <see cref="ModelsRemoved"/>.</summary>
internal sealed record RemoveModels(IReadOnlyList<string> Names);

/// <summary>The library actor stopped the removed models' actors.</summary>
internal sealed record ModelsRemoved;

/// <summary>Entry → model actor: load the model (dependencies first) unless it is loaded; <paramref name="Loaded"/> completes when it is, or fails with the load error.</summary>
internal sealed record EnsureLoaded(TaskCompletionSource Loaded);

/// <summary>Model actor → itself: the dependencies' loads ended (<paramref name="Error"/> null when all loaded).</summary>
internal sealed record DependenciesLoaded(int Load, Exception? Error);

/// <summary>Replica → model actor: its model instance loaded.</summary>
internal sealed record ReplicaLoaded(object Set);

/// <summary>Replica → model actor: its model instance failed to load.</summary>
internal sealed record ReplicaLoadFailed(object Set, Exception Error);

/// <summary>Model actor timer: the backoff after a failed load has passed.</summary>
internal sealed record RetryLoad(int Attempt);

/// <summary>Entry → model actor: refuse new work, let the replicas finish what was accepted, then complete <paramref name="Stopped"/>.</summary>
internal sealed record StopModel(TaskCompletionSource Stopped);

/// <summary>Entry → model actor: the drain deadline passed; fail what is still queued, stop the replicas now.</summary>
internal sealed class AbortModel
{
    public static readonly AbortModel Instance = new();
}

/// <summary>Model actor → itself: the batcher has sent everything it held to the replicas.</summary>
internal sealed record BatcherDrained(object Batcher);

/// <summary>Model actor → itself: every stopped replica has disposed its model instance.</summary>
internal sealed class ReplicasDisposed
{
    public static readonly ReplicasDisposed Instance = new();
}

/// <summary>Replica → itself: load the model instance (the first message, so loading may await).</summary>
internal sealed class LoadReplica
{
    public static readonly LoadReplica Instance = new();
}
