using Akka.Actor;
using ModelActors.Actors;

namespace ModelActors.Models;

/// <summary>
/// A model's life as callers start it: a load or a stop is a message to the model actor, which owns the load state,
/// the replicas, the backoff and the drain, and answers when done.
/// </summary>
internal sealed partial class ModelEntry<TItem, TResult>
{
    public override Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (Snapshot.State == ModelState.Ready)
        {
            return Task.CompletedTask;
        }

        if (IsRefusing)
        {
            return Task.FromException(new ModelStoppedException(Name, "the library is stopping."));
        }

        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ModelActor.Tell(new EnsureLoaded(loaded), ActorRefs.NoSender);
        return loaded.Task.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        BeginStop();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ModelActor.Tell(new StopModel(stopped), ActorRefs.NoSender);
        try
        {
            await stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The drain deadline passed: what is still queued fails with a shutdown error, the replicas stop at once.
            ModelActor.Tell(AbortModel.Instance, ActorRefs.NoSender);
            await stopped.Task.ConfigureAwait(false);
        }
    }
}
