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
        FailWhenSystemEnds(loaded);
        return loaded.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops the model; also ends (at once) when the actor system has terminated under the library, whose actors cannot answer then.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        BeginStop();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ModelActor.Tell(new StopModel(stopped), ActorRefs.NoSender);
        _ = _library.ActorSystem.WhenTerminated.ContinueWith(static (_, s) => ((TaskCompletionSource)s!).TrySetResult(), stopped, TaskScheduler.Default);
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

    /// <summary>
    /// The actor system ended (it was terminated or aborted under the library): nobody will answer a message to the model
    /// actor, so whoever waits for one is told instead of waiting forever.
    /// </summary>
    private void FailWhenSystemEnds(TaskCompletionSource waiter)
    {
        var registration = _library.SystemEnded.UnsafeRegister(
            static state =>
            {
                var (waiter, model) = ((TaskCompletionSource, string))state!;
                waiter.TrySetException(new ModelStoppedException(model, "its actor system has terminated."));
            },
            (waiter, Name));
        waiter.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
