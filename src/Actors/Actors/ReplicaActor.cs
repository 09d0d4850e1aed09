using Akka.Actor;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// One replica of a model as an Akka actor: loads its own model instance (its first message, so an async
/// load awaits without blocking), then runs one work message at a time in FIFO order. Sync models'
/// replicas run on <see cref="ModelActorsConfig.PinnedDispatcherId"/> (a thread each); async models' on
/// the default dispatcher, where a call that does not complete at once suspends the mailbox
/// (<c>RunTask</c>) instead of blocking a thread. Behind a router the work arrives in the mailbox; with
/// a shared queue (Balancing) the replica pulls the next item whenever it is free.
/// </summary>
/// <remarks>
/// Prediction failures never reach Akka's supervision: <see cref="ModelReplica{TItem, TResult}"/> answers
/// the caller with the model's own exception and the replica goes on. A load failure is reported to the
/// model actor, which stops this load's replicas and retries with backoff.
/// </remarks>
internal sealed class ReplicaActor<TItem, TResult> : UntypedActor
{
    private readonly ModelEntry<TItem, TResult> _entry;
    private readonly ReplicaSet<TItem, TResult> _set;
    private readonly ModelReplica<TItem, TResult> _replica;
    private readonly Action<Task<bool>, object?> _wake;
    private bool _loaded;

    public ReplicaActor(ModelEntry<TItem, TResult> entry, ReplicaSet<TItem, TResult> set)
    {
        _entry = entry;
        _set = set;
        _replica = new ModelReplica<TItem, TResult>(entry, set.NextIndex());
        _wake = static (_, self) => ((IActorRef)self!).Tell(PullWork.Instance, ActorRefs.NoSender);
    }

    /// <summary>Makes the props of a replica of <paramref name="entry"/>, on the dispatcher its kind of model needs.</summary>
    public static Props PropsFor(ModelEntry<TItem, TResult> entry, ReplicaSet<TItem, TResult> set)
    {
        var props = Props.Create(typeof(ReplicaActor<TItem, TResult>), entry, set);
        return entry.Definition.IsSync ? props.WithDispatcher(ModelActorsConfig.PinnedDispatcherId) : props;
    }

    protected override void PreStart() => Self.Tell(LoadReplica.Instance);

    protected override void PostStop()
    {
        // Deliveries still reading results finish first; then the model instance is disposed.
        _set.ReplicaStopped(_loaded ? _replica.PostStopAsync().AsTask() : Task.CompletedTask);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IModelWork<TItem, TResult> work:
                _set.Taken();
                Run(work, pullNext: false);
                break;
            case PullWork:
                Pull();
                break;
            case LoadReplica:
                RunTask(LoadAsync);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private async Task LoadAsync()
    {
        var self = Self;
        try
        {
            await _replica.PreStartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _set.ModelActor.Tell(new ReplicaLoadFailed(_set, exception));
            return;
        }

        _loaded = true;
        _set.ModelActor.Tell(new ReplicaLoaded(_set));
        if (_set.SharedQueue is not null)
        {
            self.Tell(PullWork.Instance);
        }
    }

    /// <summary>Runs one work item; a call that does not complete at once holds the mailbox until it does.</summary>
    private void Run(IModelWork<TItem, TResult> work, bool pullNext)
    {
        if (_set.Aborted)
        {
            work.Fail(new ModelStoppedException(_entry.Name, "the library stopped before the request was processed."));
            work.Release();
            if (pullNext)
            {
                Self.Tell(PullWork.Instance);
            }

            return;
        }

        _set.Busy(1);
        ValueTask pending;
        try
        {
            pending = _replica.ReceiveAsync(work);
        }
        catch
        {
            _set.Busy(-1);
            throw;
        }

        if (pending.IsCompleted)
        {
            _set.Busy(-1);
            pending.GetAwaiter().GetResult();
            if (pullNext)
            {
                Self.Tell(PullWork.Instance);
            }

            return;
        }

        var task = pending.AsTask();
        var self = Self;
        RunTask(async () =>
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            finally
            {
                _set.Busy(-1);
            }

            if (pullNext)
            {
                self.Tell(PullWork.Instance);
            }
        });
    }

    /// <summary>Balancing: takes the next item of the shared queue, or arranges to be told when one arrives.</summary>
    private void Pull()
    {
        var queue = _set.SharedQueue!;
        if (queue.TryRead(out var work))
        {
            _set.Taken();
            Run(work, pullNext: true);
            return;
        }

        var waiting = queue.WaitToReadAsync();
        if (waiting.IsCompletedSuccessfully)
        {
            if (waiting.Result)
            {
                Self.Tell(PullWork.Instance);
            }
            else
            {
                // Drained: the queue is closed and empty.
                Context.Stop(Self);
            }

            return;
        }

        waiting.AsTask().ContinueWith(_wake, Self, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
