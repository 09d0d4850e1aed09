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
    /// <summary>How many queued items a replica runs in one mailbox message before it yields.</summary>
    private const int PullsPerMessage = 32;

    private readonly ModelEntry<TItem, TResult> _entry;
    private readonly ReplicaSet<TItem, TResult> _set;
    private readonly ModelReplica<TItem, TResult> _replica;
    private readonly IdleReplicas.Slot _slot;
    private bool _loaded;
    private bool _claimed;

    public ReplicaActor(ModelEntry<TItem, TResult> entry, ReplicaSet<TItem, TResult> set)
    {
        _entry = entry;
        _set = set;
        _replica = new ModelReplica<TItem, TResult>(entry, set.NextIndex());
        _slot = new IdleReplicas.Slot(Context.Self);
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
        // A stopped replica is not claimable (a sender that still found it would tell dead letters).
        IdleReplicas.TryUnpark(_slot);

        // Deliveries still reading results finish first; then the model instance is disposed.
        _set.ReplicaStopped(_loaded ? _replica.PostStopAsync().AsTask() : Task.CompletedTask);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IModelWork<TItem, TResult> work:
                // Behind a router, or told by a sender that claimed this parked replica (Balancing).
                _set.Taken();
                _claimed = false;
                if (Run(work, pullNext: _set.Pulls) && _set.Pulls)
                {
                    Pull();
                }

                break;
            case WakeReplica:
                _claimed = false;
                Pull();
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
        if (_set.Pulls)
        {
            self.Tell(PullWork.Instance);
        }
    }

    /// <summary>
    /// Runs one work item. Returns true when it is done already; a call that does not complete at once
    /// holds the mailbox until it does and then, with <paramref name="pullNext"/>, tells the replica to pull.
    /// </summary>
    private bool Run(IModelWork<TItem, TResult> work, bool pullNext)
    {
        if (_set.Aborted)
        {
            _entry.Abandon(work);
            return true;
        }

        _set.Busy(1);
        var counted = true;
        ValueTask pending;
        try
        {
            pending = _replica.ReceiveAsync(work);
            if (pending.IsCompleted)
            {
                counted = false;
                _set.Busy(-1);
                pending.GetAwaiter().GetResult();
                return true;
            }
        }
        catch
        {
            // A bug of ours (the model's own errors go to its caller): the replica resumes and still pulls.
            if (counted)
            {
                _set.Busy(-1);
            }

            if (pullNext)
            {
                Self.Tell(PullWork.Instance);
            }

            throw;
        }

        Await(pending.AsTask(), pullNext);
        return false;
    }

    /// <summary>
    /// Holds the mailbox until a call that did not complete at once is done (its own method, so the
    /// closure is allocated only on this path).
    /// </summary>
    private void Await(Task call, bool pullNext)
    {
        var self = Self;
        var set = _set;
        RunTask(async () =>
        {
            try
            {
                await call.ConfigureAwait(false);
            }
            finally
            {
                set.Busy(-1);
            }

            if (pullNext)
            {
                self.Tell(PullWork.Instance);
            }
        });
    }

    /// <summary>
    /// Balancing: takes the next item of the shared queue, or parks as idle so that the next sender
    /// tells this replica its work directly. Stops once the queue is closed and empty.
    /// </summary>
    private void Pull()
    {
        // Work that completes at once is followed by the next pull in this same message, up to a bound,
        // then the mailbox is yielded to whatever else waits (a stop, a load).
        for (var taken = 0; taken < PullsPerMessage; taken++)
        {
            if (!TryTake(out var work) || !Run(work, pullNext: true))
            {
                return;
            }
        }

        Self.Tell(PullWork.Instance);
    }

    /// <summary>
    /// The next item of the shared queue; or none, having parked this replica as idle (the next sender
    /// tells it its work directly), or stopped it when the queue is closed and empty.
    /// </summary>
    private bool TryTake([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IModelWork<TItem, TResult>? work)
    {
        var queue = _set.SharedQueue!;
        if (queue.TryRead(out work))
        {
            _set.Taken();
            return true;
        }

        if (_claimed)
        {
            return false; // the claimer's message (work or a wake-up) is on its way
        }

        if (queue.Completion.IsCompleted)
        {
            Context.Stop(Self);
            return false;
        }

        _set.Idle!.Park(_slot);

        // Work written, or the queue closed, before this replica was visible as parked.
        if (queue.TryRead(out work))
        {
            _claimed = !IdleReplicas.TryUnpark(_slot);
            _set.Taken();
            return true;
        }

        if (queue.Completion.IsCompleted && IdleReplicas.TryUnpark(_slot))
        {
            Context.Stop(Self);
        }

        return false;
    }
}
