using Akka.Actor;
using ModelActors.Actors;

namespace ModelActors.Models;

/// <summary>
/// The door of a model: admission (refusing once stopping, the bounded queue count, the caller's deadline), then the
/// loaded replicas' router (behind the batcher when batching is on). Before the model has loaded, requests go to the
/// model actor, which holds them in order and admits them once loaded.
/// </summary>
internal sealed partial class ModelEntry<TItem, TResult>
{
    /// <summary>The longest deadline a <see cref="ModelRequest{TItem}"/> may give (its clock's timestamps must not overflow).</summary>
    private static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromDays(365);

    /// <summary>Requests told to the model actor and not yet admitted by it: later ones follow them there, so none overtakes another.</summary>
    private int _viaActor;

    /// <summary>Sends one item (pooled work: no allocation once loaded).</summary>
    public ValueTask<TResult> PredictAsync(TItem item, CancellationToken cancellationToken, Caller caller) =>
        Definition.Fallback is null
            ? PredictPrimaryAsync(item, cancellationToken, caller)
            : PredictWithFallbackAsync(item, cancellationToken, caller);

    /// <summary>Sends one chunk: without batching the model sees exactly these items in one call.</summary>
    public ValueTask<IReadOnlyList<TResult>> PredictChunkAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, Caller caller) =>
        Definition.Fallback is null
            ? PredictChunkPrimaryAsync(items, cancellationToken, caller)
            : PredictChunkWithFallbackAsync(items, cancellationToken, caller);

    private ValueTask<TResult> PredictPrimaryAsync(TItem item, CancellationToken cancellationToken, Caller caller)
    {
        if (!Admitted(cancellationToken, caller, out var timeout, out ValueTask<TResult> refusal))
        {
            return refusal;
        }

        // Straight to the replicas once loaded, unless earlier requests still wait at the model actor (then behind them).
        var snapshot = Snapshot;
        var direct = snapshot.Pool is not null && Volatile.Read(ref _viaActor) == 0;
        if (direct && Volatile.Read(ref _itemCheck)?.CheckItem(item) is { } refused)
        {
            Events.Failed();
            return ValueTask.FromException<TResult>(ModelErrors.Attach(refused, Name));
        }

        var work = _singles.Rent(item, timeout, cancellationToken, caller.Blocking);
        Send(snapshot, direct, work);
        return work.Task;
    }

    private ValueTask<IReadOnlyList<TResult>> PredictChunkPrimaryAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, Caller caller)
    {
        if (!Admitted(cancellationToken, caller, out var timeout, out ValueTask<IReadOnlyList<TResult>> refusal))
        {
            return refusal;
        }

        var snapshot = Snapshot;
        var work = new ChunkWork<TItem, TResult>(items, Name, timeout, _library.TimeProvider, cancellationToken, caller.Blocking, Events);
        Send(snapshot, snapshot.Pool is not null && Volatile.Read(ref _viaActor) == 0, work);
        return work.Task;
    }

    /// <summary>
    /// Admission of every call: refused once stopping, cancelled, or past its calling model's deadline (the outcome to
    /// return in <paramref name="refusal"/>); else counted as a request, with its deadline in <paramref name="timeout"/>.
    /// </summary>
    private bool Admitted<T>(CancellationToken cancellationToken, Caller caller, out TimeSpan timeout, out ValueTask<T> refusal)
    {
        timeout = default;
        refusal = default;
        if (IsRefusing)
        {
            refusal = ValueTask.FromException<T>(RefusedAtOnce());
            return false;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            refusal = ValueTask.FromCanceled<T>(cancellationToken);
            return false;
        }

        Events.Request();
        if (TimeoutFor(caller) is not { } limit)
        {
            refusal = ValueTask.FromException<T>(CallerDeadlinePassed(caller));
            return false;
        }

        timeout = limit;
        return true;
    }

    /// <summary>Posts <paramref name="work"/> to the loaded model (<paramref name="direct"/>), else tells it to the model actor.</summary>
    private void Send(ModelSnapshot<TItem, TResult> snapshot, bool direct, IModelWork<TItem, TResult> work)
    {
        if (direct)
        {
            Post(snapshot, work);
        }
        else
        {
            ToModelActor(work);
        }
    }

    /// <summary>A request made before the model loaded (or behind one that was): the model actor admits it in order once loaded.</summary>
    private void ToModelActor(IModelWork<TItem, TResult> work)
    {
        Interlocked.Increment(ref _viaActor);
        ModelActor.Tell(work, ActorRefs.NoSender);
    }

    /// <summary>
    /// The model actor admits <paramref name="work"/> it held (or was told after the load), through the loaded model's
    /// door: it was accepted before the stop reached the model actor, so the stop's refusal does not apply to it.
    /// </summary>
    internal void AdmitFromActor(IModelWork<TItem, TResult> work)
    {
        if (work.IsSingle && Volatile.Read(ref _itemCheck)?.CheckItem(work.Item) is { } refused)
        {
            Events.Failed();
            work.Fail(ModelErrors.Attach(refused, Name));
            work.Release();
        }
        else
        {
            Post(Snapshot, work);
        }

        Interlocked.Decrement(ref _viaActor); // after the post: a caller that sees none left waiting cannot overtake it
    }

    /// <summary>The model actor answers <paramref name="work"/> told to it with <paramref name="error"/> (its load failed, or it stopped first).</summary>
    internal void FailFromActor(IModelWork<TItem, TResult> work, Exception error)
    {
        Interlocked.Decrement(ref _viaActor);
        Events.Failed();
        work.Fail(error);
        work.Release();
    }

    /// <summary>
    /// The deadline of a call: the model's <see cref="Timeout"/>, or for a dependency call the time its calling model's
    /// call has left when that is shorter (Ask semantics: nobody waits for the answer after that); null when none is left.
    /// </summary>
    private TimeSpan? TimeoutFor(Caller caller) => caller.Within is { } within ? within.Limit(caller.Timeout ?? Timeout) : caller.Timeout ?? Timeout;

    /// <summary>A dependency call made after its calling model's deadline: never queued, counted as a timed-out request.</summary>
    private TimeoutException CallerDeadlinePassed(Caller caller)
    {
        Events.TimedOut();
        var error = new TimeoutException($"Model '{Name}' was not called: the call of model '{caller.Within!.Model}' that needs it had already passed its deadline.");
        ModelErrors.Attach(error, Name);
        return error;
    }

    /// <summary>
    /// Posts a <see cref="ModelRequest{TItem}"/> from an actor to a loaded model without a fallback (the model actor calls
    /// this in the order it received them): the work answers <paramref name="replyTo"/> itself when it is settled, so one
    /// replica's replies keep the order of its work.
    /// </summary>
    /// <param name="request">The request: its items, its deadline (the model's when it has none) and its sender's token.</param>
    /// <param name="replyTo">Who is answered.</param>
    internal void PostRequest(ModelRequest<TItem> request, IActorRef replyTo)
    {
        if (RequestWork(request, replyTo) is { } work)
        {
            Post(Snapshot, work);
        }
    }

    /// <summary>
    /// The work of a <see cref="ModelRequest{TItem}"/> that arrived before the model loaded, its deadline running from now
    /// (as a client's), for the model actor to hold; null when it was answered at once (no items, an invalid timeout).
    /// </summary>
    internal IModelWork<TItem, TResult>? HoldRequest(ModelRequest<TItem> request, IActorRef replyTo)
    {
        if (RequestWork(request, replyTo) is not { } work)
        {
            return null;
        }

        Interlocked.Increment(ref _viaActor); // held like a client's request: later client requests follow it through the actor
        return work;
    }

    /// <summary>The work that answers <paramref name="replyTo"/> for <paramref name="request"/>, or null when the request was answered at once.</summary>
    private ChunkWork<TItem, TResult>? RequestWork(ModelRequest<TItem> request, IActorRef replyTo)
    {
        if (AnsweredAtOnce(request, replyTo))
        {
            return null;
        }

        Events.Request();
        return new ChunkWork<TItem, TResult>(request.Items, Name, request.Timeout ?? Timeout, _library.TimeProvider, request.CancellationToken, blockingCaller: false, Events, ReplyTo(replyTo));
    }

    /// <summary>
    /// Answers a <see cref="ModelRequest{TItem}"/> that needs no model call at once: an invalid timeout (an error), no
    /// items (no results). True when it did.
    /// </summary>
    internal bool AnsweredAtOnce(ModelRequest<TItem> request, IActorRef replyTo)
    {
        if (request.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxRequestTimeout))
        {
            Events.Request();
            Events.Failed();
            var error = new ArgumentOutOfRangeException(nameof(request), timeout, $"The request to model '{Name}' has a timeout of {timeout}; it must be positive and at most {MaxRequestTimeout.TotalDays:0} days.");
            ReplyTo(replyTo).Fail(error);
            return true;
        }

        if (request.Items is null || request.Items.Count == 0)
        {
            // Nothing to run (as PredictBatchAsync of no items): answered at once, never routed.
            ReplyTo(replyTo).Answer<TResult>([]);
            return true;
        }

        return false;
    }

    /// <summary>How this model answers <paramref name="actor"/> (across nodes too).</summary>
    internal Remote.ReplyTo ReplyTo(IActorRef actor) => new(actor, Name, _library.FrameLimit);

    /// <summary>The error of a request that arrives once the model is stopping.</summary>
    internal ModelStoppedException Refused() => new(Name, "it no longer accepts requests.");

    /// <summary>A request refused before it was queued, counted as a failed request.</summary>
    internal ModelStoppedException RefusedAtOnce()
    {
        Events.Request();
        Events.Failed();
        return Refused();
    }

    private void Post(ModelSnapshot<TItem, TResult> snapshot, IModelWork<TItem, TResult> work)
    {
        PostResult result;
        if (snapshot.Door is { } door && work is not ChunkWork<TItem, TResult> { AnswersActor: true } && TakesRemoteTurn(door.RemoteNodes))
        {
            result = door.Post(work); // this node spreads its clients' work: this one goes to another node that hosts the model
        }
        else if (snapshot.Batcher is { } batcher)
        {
            result = batcher.Enqueue(work);
        }
        else
        {
            if (Events.TracksQueueTime)
            {
                work.AcceptedAt = _library.TimeProvider.GetTimestamp();
            }

            result = snapshot.Pool!.Post(work);
        }

        if (result == PostResult.Accepted)
        {
            return;
        }

        if (result == PostResult.Full)
        {
            Events.Rejected(_queueCapacity);
            work.Fail(new ModelOverloadedException(Name, _queueCapacity, RetryAfterHint()));
        }
        else
        {
            work.Fail(Refused());
        }

        work.Release();
    }

    /// <summary>Round robin over this node and <paramref name="remoteNodes"/> others: true when this turn is another node's.</summary>
    private bool TakesRemoteTurn(int remoteNodes) =>
        remoteNodes > 0 && (uint)Interlocked.Increment(ref _spreadTurn) % (uint)(remoteNodes + 1) != 0;

    private int _spreadTurn;

    public override ModelOverloadedException? CheckCapacity()
    {
        var depth = QueueDepth;
        var rate = Events.TakenPerSecond(depth); // sampled on every look, so the estimate is current when a queue forms
        ModelOverloadedException refusal;
        string? reason = null;
        if (depth >= _queueCapacity)
        {
            refusal = new ModelOverloadedException(Name, _queueCapacity, RetryAfterHint());
        }
        else if (depth > 0 && rate > 0 && TimeSpan.FromSeconds(depth / rate) is var wait && wait > Timeout / 2)
        {
            // Accepted, it would wait most of its deadline and likely time out: refused now, while refusing is cheap.
            reason = $"a request queued now would wait about {wait.TotalMilliseconds:0} ms, over half its {Timeout.TotalMilliseconds:0} ms deadline";
            refusal = new ModelOverloadedException(Name, _queueCapacity, wait, reason);
        }
        else
        {
            return null;
        }

        Events.Request();
        Events.Rejected(_queueCapacity, reason);
        return refusal;
    }

    /// <summary>How long the queue ahead would take to drain: queued requests / replicas × the recent time per call (at least 10 ms).</summary>
    private TimeSpan RetryAfterHint()
    {
        var perCall = Events.RecentCallTime;
        var batch = Definition.Batching?.MaxBatchSize ?? 1;
        var calls = Math.Ceiling((double)QueueDepth / batch / Definition.Replicas);
        var estimate = TimeSpan.FromTicks((long)(perCall.Ticks * Math.Max(1, calls)));
        return estimate < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : estimate;
    }
}
