namespace ModelActors.Models;

/// <summary>
/// Work whose running model call can be cancelled when its caller gives up: the replica attaches its call's
/// <see cref="CancellationTokenSource"/> (whose token the model gets) while the call runs, and the work cancels it when
/// its deadline passes or its caller cancels first. A model honouring its token thus stops working for a caller that
/// no longer waits, and its replica goes on to the next request.
/// </summary>
internal interface ICallCancellation
{
    /// <summary>Whether this work's caller alone decides (false for a batch merged from several callers).</summary>
    bool CanCancelCall { get; }

    /// <summary>
    /// Attaches the running call's source: it is cancelled if the work completes early (timeout, cancellation) from now
    /// on. False when the work had already completed early: nothing is attached, and the call should not go on.
    /// </summary>
    bool AttachCall(CancellationTokenSource source);

    /// <summary>Takes <paramref name="source"/> back after the call; false when an early completion took it (and cancels it).</summary>
    bool DetachCall(CancellationTokenSource source);
}
