using Akka.Actor;
using Akka.Routing;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// Stopping: refuse new work, send what the batcher holds, let each replica finish its mailbox, then stop the replicas
/// and dispose their models; when the drain deadline passes first, what is still queued fails with a shutdown error.
/// </summary>
internal sealed partial class ModelActor<TItem, TResult>
{
    private TaskCompletionSource? _stopped;
    private bool _stopping;
    private bool _drainingReplicas;

    private void Stop(TaskCompletionSource stopped)
    {
        if (_stopped is { } first)
        {
            first.Task.ContinueWith(_ => stopped.TrySetResult(), TaskScheduler.Default);
            return;
        }

        _stopped = stopped;
        _stopping = true;
        Timers.CancelAll();
        if (_loading)
        {
            // A load under way is given up: whoever waits for it (and the requests held for it) is told the library is stopping.
            _loading = false;
            _load++;
            if (_set is { } set)
            {
                StopReplicas(set); // a load's replicas (none while its dependencies load); a model loading has no others
            }

            var error = new ModelStoppedException(_entry.Name, "the library is stopping.");
            FailLoadWaiters(error);
            FailHeld(error);
        }

        var snapshot = _entry.Snapshot;
        if (snapshot.Pool is null)
        {
            // Never loaded (or its load failed or was given up): only replicas still stopping are waited for.
            StoppedWhenReplicasGone();
            return;
        }

        _entry.Publish(snapshot with { State = ModelState.Stopping });
        if (snapshot.Batcher is { } batcher)
        {
            // What the batcher holds is sent to the replicas (without waiting for MaxDelay) before they drain.
            batcher.Stop();
            var self = Self;
            batcher.Drained.ContinueWith(_ => self.Tell(new BatcherDrained(batcher)), TaskScheduler.Default);
            return;
        }

        DrainReplicas();
    }

    /// <summary>Each replica finishes its mailbox, then stops; the router stops after its last replica.</summary>
    private void DrainReplicas()
    {
        if (_drainingReplicas)
        {
            return;
        }

        _drainingReplicas = true;
        var set = _set!;
        set.Close();
        set.Router.Tell(new Broadcast(PoisonPill.Instance));
        if (_door is { } door)
        {
            door.Close(); // what it sent is answered before it stops
            door.Router.Tell(new Broadcast(PoisonPill.Instance));
        }
    }

    /// <summary>The drain deadline passed: what the batcher still holds fails, and the replicas stop without waiting.</summary>
    private void Abort()
    {
        if (!_stopping)
        {
            return;
        }

        if (_entry.Snapshot.Batcher is { } batcher && !_drainingReplicas)
        {
            batcher.FailQueued(_entry.StoppedBeforeProcessed);
        }

        // What waits in front of the replicas and in their mailboxes fails now (ReplicaSet.Abort). The stop ends now: a
        // replica in a long async call stops at once (Akka stops an actor whose RunTask waits), and disposes its model when
        // that call returns, not before (ReplicaActor.PostStop); a sync one stops when its call returns its thread.
        _set?.Abort(_entry);
        _door?.Abort(_entry);
        _drainingReplicas = true;
        foreach (var replica in _replicaActors)
        {
            Context.Stop(replica);
        }

        Stopped();
    }

    private void ReplicaTerminated(IActorRef replicas)
    {
        _replicaActors.Remove(replicas);
        if (_stopping && (_drainingReplicas || _entry.Snapshot.Pool is null))
        {
            StoppedWhenReplicasGone();
        }
    }

    /// <summary>Once no replica actor is left, waits for their models' disposal, then reports the model stopped.</summary>
    private void StoppedWhenReplicasGone()
    {
        if (_replicaActors.Count != 0)
        {
            return;
        }

        var self = Self;
        (_set?.Disposed() ?? Task.CompletedTask).ContinueWith(_ => self.Tell(ReplicasDisposed.Instance), TaskScheduler.Default);
    }

    private void Stopped()
    {
        _entry.Publish(_entry.Snapshot with { State = ModelState.Stopped });
        _stopped?.TrySetResult();
    }
}
