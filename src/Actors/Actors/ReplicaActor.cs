using Akka.Actor;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// One replica of a model as an Akka actor, a routee of the model's pool router: loads its own model instance (its
/// first message, so an async load awaits without blocking), then runs one work message at a time in mailbox (FIFO)
/// order. Sync models' replicas run on <see cref="ModelActorsConfig.PinnedDispatcherId"/> (a thread each); async models'
/// on <see cref="ModelActorsConfig.AsyncDispatcherId"/> (threads of its own, never the .NET pool; the model's awaits
/// continue there, see <see cref="ReplicaSynchronizationContext"/>), where a call that does not complete at once
/// suspends the mailbox (<c>RunTask</c>) instead of blocking a thread. Behind a <see cref="BalancingActor{TItem, TResult}"/> (Balancing, several replicas) it tells that
/// actor when it is free, and is sent one work message at a time.
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
    private readonly IActorRef _balancer;
    private readonly IActorRef _self;
    private readonly ReplicaSynchronizationContext? _context;
    private bool _loaded;
    private Task? _loading;
    private Task? _inCall; // an async call the mailbox waits for (RunTask); set and cleared on the actor's own thread, as PostStop reads it

    public ReplicaActor(ModelEntry<TItem, TResult> entry, ReplicaSet<TItem, TResult> set)
    {
        _entry = entry;
        _set = set;
        _replica = new ModelReplica<TItem, TResult>(entry, set.NextIndex());
        _self = Context.Self;
        _context = entry.Definition.IsSync ? null : new ReplicaSynchronizationContext(Context.Dispatcher);
        _balancer = set.Pulls ? Context.Parent : ActorRefs.Nobody; // its BalancingActor, told when it is free
        set.AddMailboxOf(Context); // an abort takes what waits here while a call runs
    }

    /// <summary>Makes the props of a replica of <paramref name="entry"/>, on the dispatcher its kind of model needs.</summary>
    public static Props PropsFor(ModelEntry<TItem, TResult> entry, ReplicaSet<TItem, TResult> set)
    {
        var props = Props.Create(typeof(ReplicaActor<TItem, TResult>), entry, set);
        return props.WithDispatcher(entry.Definition.IsSync ? ModelActorsConfig.PinnedDispatcherId : ModelActorsConfig.AsyncDispatcherId);
    }

    protected override void PreStart() => Self.Tell(LoadReplica.Instance);

    // Deliveries still reading results finish first; then the model instance is disposed. A replica stopped while its
    // model was loading (a stop during the load, another replica's load failure) disposes the instance once it has loaded.
    // What is left in its mailbox (its system terminating under the library) is answered first.
    protected override void PostStop()
    {
        _set.Taken(_entry.AbandonMailbox(Context));
        _set.ReplicaStopped(
            _inCall is { } call ? DisposeAfterCallAsync(call)
            : Volatile.Read(ref _loaded) ? _replica.PostStopAsync().AsTask()
            : _loading is { } loading ? DisposeOnceLoadedAsync(loading)
            : Task.CompletedTask);
    }

    /// <summary>
    /// Stopped inside an async call (a drain deadline passed): Akka stops an actor whose <c>RunTask</c> is still waiting,
    /// and drops that task's continuation, so the call is ended here, once it returns, and only then is the instance
    /// disposed — never under a call that is still running. The call still answers its caller (its continuations run on
    /// the dispatcher, not through this actor).
    /// </summary>
    private async Task DisposeAfterCallAsync(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A bug of ours (the model's own errors went to its caller): the instance is still disposed.
        }

        EndCall();
        await _replica.PostStopAsync().ConfigureAwait(false);
    }

    private async Task DisposeOnceLoadedAsync(Task loading)
    {
        try
        {
            await loading.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // nothing loaded, nothing to dispose
        }

        await _replica.PostStopAsync().ConfigureAwait(false);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IModelWork<TItem, TResult> work:
                _set.Taken();
                Run(work);
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
        try
        {
            _loading = _replica.PreStartAsync(CancellationToken.None).AsTask();
            await _loading.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _set.ModelActor.Tell(new ReplicaLoadFailed(_set, exception));
            return;
        }

        Volatile.Write(ref _loaded, true);
        _set.ModelActor.Tell(new ReplicaLoaded(_set));
        Free();
    }

    /// <summary>Runs one work item; a call that does not complete at once holds the mailbox until it does.</summary>
    private void Run(IModelWork<TItem, TResult> work)
    {
        if (_set.Aborted)
        {
            _entry.Abandon(work);
            Free();
            return;
        }

        _set.Busy(1);
        _replica.Call.Begin(work.Deadline);
        ValueTask pending;
        try
        {
            if (_context is null)
            {
                pending = _replica.ReceiveAsync(work);
            }
            else
            {
                using (_context.Enter())
                {
                    pending = _replica.ReceiveAsync(work);
                }
            }
        }
        catch
        {
            // A bug of ours (the model's own errors go to its caller): the replica resumes with its next message.
            Done();
            throw;
        }

        if (pending.IsCompleted)
        {
            Done();
            pending.GetAwaiter().GetResult();
            return;
        }

        Await(pending.AsTask());
    }

    private void Done()
    {
        EndCall();
        Free();
    }

    private void EndCall()
    {
        _replica.Call.End();
        _set.Busy(-1);
    }

    /// <summary>Behind a <see cref="BalancingActor{TItem, TResult}"/>: asks for the next work.</summary>
    private void Free()
    {
        if (_set.Pulls)
        {
            _balancer.Tell(ReplicaFree.Instance, _self);
        }
    }

    /// <summary>
    /// Holds the mailbox until a call that did not complete at once is done (its own method, so the closure is allocated
    /// only on this path). The wait resumes through the actor's own task scheduler (captured, not left with
    /// <c>ConfigureAwait(false)</c>): a call that finishes on a dispatcher thread never hands its replica to the .NET pool.
    /// </summary>
    private void Await(Task call)
    {
        _inCall = call;
        RunTask(async () =>
        {
            try
            {
                await call.ConfigureAwait(true);
            }
            finally
            {
                _inCall = null;
                Done();
            }
        });
    }
}
