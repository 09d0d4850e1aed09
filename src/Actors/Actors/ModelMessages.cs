using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>Library actor → itself at start: create one model actor per registered model.</summary>
internal sealed record StartModels(IReadOnlyList<ModelEntry> Entries);

/// <summary>The library actor's answer to <see cref="StartModels"/>: every model actor exists.</summary>
internal sealed record ModelsStarted;

/// <summary>Entry → model actor: load the replicas (if not loaded) and report through <paramref name="Run"/>.</summary>
internal sealed record LoadModel(LoadRun Run);

/// <summary>Replica → model actor: its model instance loaded.</summary>
internal sealed record ReplicaLoaded(object Set);

/// <summary>Replica → model actor: its model instance failed to load.</summary>
internal sealed record ReplicaLoadFailed(object Set, Exception Error);

/// <summary>Model actor timer: the backoff after a failed load has passed.</summary>
internal sealed record RetryLoad(int Attempt);

/// <summary>Entry → model actor: refuse new work, let the replicas finish what was accepted, then report.</summary>
internal sealed record DrainModel(TaskCompletionSource Drained);

/// <summary>Entry → model actor: the drain deadline passed; fail what is still queued, stop the replicas.</summary>
internal sealed record AbortModel(TaskCompletionSource Aborted);

/// <summary>Replica → itself: load the model instance (the first message, so loading may await).</summary>
internal sealed class LoadReplica
{
    public static readonly LoadReplica Instance = new();
}

/// <summary>
/// A load of a model, as the entry awaits it: completes with the replicas once every replica loaded,
/// or fails with <see cref="ModelLoadException"/> once the retries ran out.
/// </summary>
internal sealed class LoadRun
{
    private readonly TaskCompletionSource<object> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The replica set (an <see cref="IReplicaTarget{TItem, TResult}"/>) once loaded.</summary>
    public Task<object> Task => _done.Task;

    public void Loaded(object replicas) => _done.TrySetResult(replicas);

    public void Failed(Exception error) => _done.TrySetException(error);
}
