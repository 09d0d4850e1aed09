using System.Threading.Tasks.Sources;

namespace ModelActors.Models;

/// <summary>
/// The reply slot of an Ask: a reusable <see cref="IValueTaskSource{TResult}"/> with a deadline and the
/// caller's cancellation. Exactly one of result, failure, timeout or cancellation completes it; any
/// later completion (a late reply) returns <see langword="false"/> and is dropped.
/// </summary>
/// <remarks>
/// Two parties own a promise while it is in use: the caller (until it reads the result) and the actor
/// side (until it has finished with the message, or the message could not be delivered). When both
/// have released it, <see cref="OnReleased"/> runs once: pooled subclasses return to their pool there.
/// Timer and cancellation callbacks never complete a later use by mistake: they act only if their
/// condition (deadline passed, token cancelled) holds for the current use.
/// </remarks>
internal abstract class Promise<T> : IValueTaskSource<T>, ICallCancellation
{
    private const int Pending = 0;
    private const int Running = 1;
    private const int Completed = 2;

    private ManualResetValueTaskSourceCore<T> _core;
    private int _state;
    private int _owners;
    private const long Unarmed = long.MaxValue;
    private static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(1);

    private ITimer? _timer;
    private TimeProvider _timeProvider = TimeProvider.System;
    private long _deadline;
    private long _timerDue = Unarmed;
    private TimeSpan _timeout;
    private string _model = string.Empty;
    private CancellationToken _cancellationToken;
    private CancellationTokenRegistration _registration;
    private bool _blockingCaller;
    private PromiseContinuation _continuation;
    private CancellationTokenSource? _runningCall;

    /// <summary>The caller's token for this use.</summary>
    public CancellationToken CancellationToken => _cancellationToken;

    /// <summary>When the caller stops waiting for this use (a timestamp of its clock).</summary>
    public long Deadline => Volatile.Read(ref _deadline);

    /// <summary>Whether this use has been completed (answered, failed, timed out or cancelled).</summary>
    public bool IsCompleted => Volatile.Read(ref _state) == Completed;

    /// <summary>Whether a thread is blocked waiting for this use (the sync gateway): completing it wakes that thread directly.</summary>
    public bool HasBlockingCaller => _blockingCaller;

    /// <summary>The awaitable the caller holds.</summary>
    public ValueTask<T> Task => new(this, _core.Version);

    /// <summary>Prepares the promise for one use.</summary>
    /// <param name="model">The model's name: named in the timeout's message, and attached to it (<see cref="ModelErrors.GetModelName"/>).</param>
    /// <param name="timeout">A positive, finite deadline.</param>
    /// <param name="timeProvider">The clock the deadline runs on.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="runContinuationsAsynchronously">False only for blocking waiters (the sync gateway).</param>
    protected void Arm(string model, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken, bool runContinuationsAsynchronously)
    {
        _blockingCaller = !runContinuationsAsynchronously;
        _continuation.Reset();
        _model = model;
        _timeout = timeout;
        _owners = 2;
        _cancellationToken = cancellationToken;

        if (!ReferenceEquals(_timeProvider, timeProvider) && _timer is not null)
        {
            _timer.Dispose();
            _timer = null;
            _timerDue = Unarmed;
        }

        _timeProvider = timeProvider;
        _deadline = timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * timeProvider.TimestampFrequency);
        _timer ??= timeProvider.CreateTimer(static state => ((Promise<T>)state!).OnDeadline(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Full fence: the deadline and state are visible before the timer's due time is read (see OnDeadline).
        Interlocked.Exchange(ref _state, Pending);
        EnsureTimerBy(_deadline);

        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static state => ((Promise<T>)state!).OnCancelled(), this);
        }
    }

    /// <inheritdoc />
    public bool CanCancelCall => true;

    /// <inheritdoc />
    public bool AttachCall(CancellationTokenSource source)
    {
        // No full fence on this path (it is every call's): a caller giving up in the instant between these two lines may
        // find nothing to cancel, and the call then runs on as it did before there was cancellation; the source is never
        // cancelled under a later call either way, since taking it back (DetachCall) and taking it to cancel are one CAS.
        Volatile.Write(ref _runningCall, source);
        return Volatile.Read(ref _state) != Completed
            || Interlocked.CompareExchange(ref _runningCall, null, source) != source; // completed meanwhile: attached only if Settle took it (and cancels it)
    }

    /// <inheritdoc />
    public bool DetachCall(CancellationTokenSource source) => Interlocked.CompareExchange(ref _runningCall, null, source) == source;

    /// <summary>Marks the message as taken by an actor; false when it already timed out or was cancelled (then it must not reach the model).</summary>
    public bool TryBegin() => Interlocked.CompareExchange(ref _state, Running, Pending) == Pending;

    /// <summary>Completes with a result; false when already completed.</summary>
    public bool TrySetResult(T result) => Settle(result, null, Early.No);

    /// <summary>Completes with a failure; false when already completed.</summary>
    public bool TrySetException(Exception exception) => Settle(default, exception, Early.No);

    /// <summary>
    /// Completes this use once. The settling party holds a share of its own meanwhile: the caller may read the outcome
    /// and release its share, and the actor side its own, before this method has finished (a timer or a cancellation
    /// owns no share), and the promise must not be pooled and re-armed under it.
    /// </summary>
    private bool Settle(T? result, Exception? exception, Early early)
    {
        if (!TryComplete())
        {
            return false;
        }

        Interlocked.Increment(ref _owners); // the caller's share is still held (it reads only after this completion)
        try
        {
            OnSettling(result, exception);
            if (exception is null)
            {
                _core.SetResult(result!);
            }
            else
            {
                _core.SetException(exception);
            }

            if (_continuation.Complete())
            {
                Resume();
            }

            if (early != Early.No)
            {
                OnCompletedEarly(timedOut: early == Early.TimedOut);
                CancelRunningCall();
            }
        }
        finally
        {
            Release();
        }

        return true;
    }

    /// <summary>
    /// The caller gave up (deadline, cancellation) while a replica may be running its call: the call's token is cancelled,
    /// so a model that honours it stops working for nobody. The model's own cancellation callbacks run here; one that
    /// throws must not take this thread (a timer's) down with it.
    /// </summary>
    private void CancelRunningCall()
    {
        if (Interlocked.Exchange(ref _runningCall, null) is not { } call)
        {
            return;
        }

        try
        {
            call.Cancel();
        }
        catch (AggregateException)
        {
            // A model's callback on its token threw: the call fails or ends on its own; the caller already has its answer.
        }
    }

    /// <summary>Whether a completion came before any actor answered, and why.</summary>
    private enum Early
    {
        No,
        TimedOut,
        Cancelled,
    }

    /// <summary>
    /// Runs the caller's continuation where its kind of caller needs it: in the context it captured (an async model's
    /// code: its replicas' dispatcher, see <see cref="Actors.ReplicaSynchronizationContext"/>); on this thread for a
    /// blocked caller (woken directly); else on the .NET thread pool.
    /// </summary>
    private void Resume()
    {
        if (_continuation.TryPostToCapturedContext())
        {
            return;
        }

        if (_blockingCaller)
        {
            _continuation.Invoke();
        }
        else
        {
            _continuation.QueueToThreadPool();
        }
    }


    /// <summary>Gives up one owner's share; the last one triggers <see cref="OnReleased"/>.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _owners) == 0)
        {
            OnReleased();
        }
    }

    /// <summary>Runs once when both owners have released this use.</summary>
    protected abstract void OnReleased();

    /// <summary>
    /// Runs once, on the thread that settles this use (a replica, a deadline timer, a cancellation), just before an
    /// awaiting caller is resumed: what a subclass does here happens in the order the replica finished its work.
    /// </summary>
    /// <param name="result">The result, when it succeeded.</param>
    /// <param name="exception">The failure, when it failed.</param>
    protected virtual void OnSettling(T? result, Exception? exception)
    {
    }

    /// <summary>Runs after a timeout (<paramref name="timedOut"/>) or a cancellation completed this use, before any actor answered it.</summary>
    protected virtual void OnCompletedEarly(bool timedOut)
    {
    }

    /// <summary>Readies the reply core for its next use (pooled subclasses call this before pooling).</summary>
    protected void ResetForReuse()
    {
        _core.Reset();
        _continuation.Reset(); // lets go of the last caller's continuation and context
    }

    /// <summary>Frees the deadline timer (non-pooled subclasses call this when released).</summary>
    protected void DisposeTimer()
    {
        _timer?.Dispose();
        _timer = null;
        _timerDue = Unarmed;
    }

    /// <inheritdoc />
    public T GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        _ = _core.GetStatus(token); // a token of another use throws
        if (_continuation.Register(continuation, state, flags))
        {
            Resume();
        }
    }

    private bool TryComplete()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Completed)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, Completed, state) == state)
            {
                // The deadline timer is left armed: re-arming on the next use replaces it, and a
                // callback that fires meanwhile finds this use completed (or the next one not yet due).
                _registration.Unregister();
                return true;
            }
        }
    }

    /// <summary>
    /// Makes sure the timer fires no later than <paramref name="deadline"/>. A pooled promise's timer
    /// usually still runs from an earlier use and fires before this deadline: then nothing is done here
    /// and <see cref="OnDeadline"/> re-arms it for the rest, so a call costs no timer update.
    /// </summary>
    private void EnsureTimerBy(long deadline)
    {
        while (true)
        {
            var due = Volatile.Read(ref _timerDue);
            if (due <= deadline)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _timerDue, deadline, due) == due)
            {
                // A far deadline is reached in steps (OnDeadline re-arms until it is due): timers refuse due times past
                // about 49 days, and a throw here would reach whoever sent the work (an actor: it would be stopped).
                var remaining = TimeSpan.FromSeconds((double)(deadline - _timeProvider.GetTimestamp()) / _timeProvider.TimestampFrequency);
                _timer!.Change(remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining > MaxTimerStep ? MaxTimerStep : remaining, Timeout.InfiniteTimeSpan);
                return;
            }
        }
    }

    private void OnDeadline()
    {
        // Full fence, paired with the one in Arm: either Arm sees the timer unarmed and arms it, or
        // this callback sees Arm's pending use below and re-arms for it.
        Interlocked.Exchange(ref _timerDue, Unarmed);
        if (Volatile.Read(ref _state) == Completed)
        {
            return;
        }

        var deadline = Volatile.Read(ref _deadline);
        if (_timeProvider.GetTimestamp() >= deadline)
        {
            Settle(default, ModelErrors.Attach(new TimeoutException($"Model '{_model}' did not answer within {_timeout.TotalMilliseconds:0.###} ms."), _model), Early.TimedOut);
        }
        else
        {
            EnsureTimerBy(deadline);
        }
    }

    private void OnCancelled()
    {
        var token = _cancellationToken;
        if (token.IsCancellationRequested)
        {
            Settle(default, new OperationCanceledException(token), Early.Cancelled);
        }
    }
}
