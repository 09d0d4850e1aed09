namespace ModelActors.Runtime;

/// <summary>Ask: send a message that carries a reply slot, and await the reply with a finite deadline.</summary>
internal static class Ask
{
    /// <summary>The default Ask timeout: finite, unlike Akka.NET's default.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Checks an Ask timeout: zero, negative and infinite timeouts are rejected.</summary>
    public static TimeSpan Validate(TimeSpan timeout, string parameterName) =>
        timeout > TimeSpan.Zero
            ? timeout
            : throw new ArgumentOutOfRangeException(parameterName, timeout, "An Ask timeout must be positive and finite; zero, negative and infinite timeouts are rejected.");

    /// <summary>
    /// Sends <paramref name="messageFactory"/>'s message to <paramref name="target"/> and awaits the
    /// reply. Fails with <see cref="TimeoutException"/> when no reply comes within the timeout, with
    /// <see cref="OperationCanceledException"/> when the caller cancels; a late reply is dropped.
    /// </summary>
    public static ValueTask<TReply> AskAsync<TMessage, TReply>(
        this IActorRef<TMessage> target,
        Func<ReplyTo<TReply>, TMessage> messageFactory,
        TimeSpan? timeout = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(messageFactory);
        var effective = Validate(timeout ?? DefaultTimeout, nameof(timeout));
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TReply>(cancellationToken);
        }

        var reply = new ReplyTo<TReply>(target.Path, effective, timeProvider ?? TimeProvider.System, cancellationToken);
        var result = target.Tell(messageFactory(reply));
        if (result != PostResult.Accepted)
        {
            reply.TrySetException(new InvalidOperationException($"{target.Path} did not accept the message: its mailbox is {(result == PostResult.Full ? "full" : "closed")}."));
            reply.Release();
        }

        return reply.Task;
    }
}

/// <summary>
/// The reply slot carried by an asked message (Akka's temporary reply ref). The receiving actor
/// answers with <see cref="Promise{T}.TrySetResult"/> or <see cref="Promise{T}.TrySetException"/> and
/// then calls <see cref="Promise{T}.Release"/>.
/// </summary>
internal sealed class ReplyTo<T> : Promise<T>
{
    public ReplyTo(string target, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        Arm(target, timeout, timeProvider, cancellationToken, runContinuationsAsynchronously: true);
    }

    protected override void OnReleased() => DisposeTimer();
}
