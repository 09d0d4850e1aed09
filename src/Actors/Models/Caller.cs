namespace ModelActors.Models;

/// <summary>
/// Who makes a call: whether a thread blocks for it (the sync gateway, woken directly by the replica) and, for a model's
/// dependency client, the call of the model that makes it, whose deadline the dependency call inherits.
/// </summary>
/// <param name="Blocking">A thread waits for the answer (its reply slot is completed inline).</param>
/// <param name="Within">The calling model replica's current call, or <see langword="null"/> for a caller outside any model.</param>
/// <param name="Timeout">The caller's own timeout (an actor's <see cref="ModelRequest{TItem}"/> gives one), else the model's.</param>
internal readonly record struct Caller(bool Blocking, ReplicaCall? Within = null, TimeSpan? Timeout = null)
{
    /// <summary>An async caller outside any model.</summary>
    public static Caller Async => default;
}

/// <summary>
/// The call one replica is running, as its model's dependency clients see it: a dependency call made meanwhile gets at
/// most the time left until this call's deadline (Ask semantics: nobody waits for an answer after its caller gave up).
/// A replica runs one call at a time, so one field per replica holds it.
/// </summary>
/// <param name="model">The model's name.</param>
/// <param name="timeProvider">The library's clock.</param>
/// <param name="callTook">Told each call's duration (a model without batching: its retry-after hints come from it).</param>
internal sealed class ReplicaCall(string model, TimeProvider timeProvider, Action<TimeSpan>? callTook = null)
{
    /// <summary>No call is running (or it has no deadline).</summary>
    public const long NoDeadline = long.MaxValue;

    private long _deadline = NoDeadline;
    private long _began; // when the call being timed began
    private bool _timed;
    private int _calls;
    private CancellationTokenSource? _source; // this replica's, reused for each call that no early completion took
    private ICallCancellation? _attached;

    /// <summary>The calling model's name (named when its deadline has passed).</summary>
    public string Model => model;

    /// <summary>The running call's deadline (a <see cref="System.TimeProvider.GetTimestamp"/> value), or <see cref="NoDeadline"/>.</summary>
    public long Deadline => Volatile.Read(ref _deadline);

    /// <summary>A call with <paramref name="deadline"/> begins.</summary>
    public void Begin(long deadline)
    {
        Volatile.Write(ref _deadline, deadline);
        if (callTook is not null && (_calls++ & 7) == 0)
        {
            _timed = true;
            _began = timeProvider.GetTimestamp(); // one call in 8 (the first too) is timed: a moving average needs no more, and a clock read costs
        }
    }

    /// <summary>
    /// The token the model gets for <paramref name="work"/>: cancelled when its caller cancels or its deadline passes while
    /// the call runs (the caller's own token for a batch of several callers', which runs for those still waiting).
    /// </summary>
    public CancellationToken Attach<TItem, TResult>(IModelWork<TItem, TResult> work)
    {
        if (work is not ICallCancellation { CanCancelCall: true } cancellable)
        {
            return work.CancellationToken;
        }

        var source = _source ??= new CancellationTokenSource();
        if (!cancellable.AttachCall(source))
        {
            return new CancellationToken(canceled: true); // its caller gave up as it began
        }

        _attached = cancellable;
        return source.Token;
    }

    /// <summary>The call has ended: dependency calls made from now on (background work of the model) get their own deadline.</summary>
    public void End()
    {
        Volatile.Write(ref _deadline, NoDeadline);
        if (_timed)
        {
            _timed = false;
            callTook!.Invoke(timeProvider.GetElapsedTime(_began));
        }

        if (_attached is { } attached)
        {
            _attached = null;
            if (!attached.DetachCall(_source!) || !_source!.TryReset())
            {
                // An early completion took it and cancels it: the next call gets a new one. Kept, it is reset: what the
                // model registered on its token (a linked source it never disposed) must not fire for a later call.
                _source = null;
            }
        }
    }

    /// <summary>
    /// The deadline for a dependency call that would get <paramref name="timeout"/> on its own: the shorter of the two,
    /// or <see langword="null"/> when the calling model's deadline has already passed.
    /// </summary>
    public TimeSpan? Limit(TimeSpan timeout)
    {
        var deadline = Deadline;
        if (deadline == NoDeadline)
        {
            return timeout;
        }

        var left = TimeSpan.FromSeconds((double)(deadline - timeProvider.GetTimestamp()) / timeProvider.TimestampFrequency);
        return left <= TimeSpan.Zero ? null : left < timeout ? left : timeout;
    }
}
