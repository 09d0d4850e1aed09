namespace ModelActors.Runtime;

/// <summary>An actor: processes one message at a time, in the order its mailbox received them.</summary>
internal interface IActor<in TMessage>
{
    /// <summary>Runs before the first message (and again after each restart). A failure here is a start failure, retried with backoff.</summary>
    ValueTask PreStartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Handles one message. The mailbox is suspended until the returned task completes.</summary>
    ValueTask ReceiveAsync(TMessage message);

    /// <summary>Runs once after the last message (and before a restart replaces this instance).</summary>
    ValueTask PostStopAsync() => ValueTask.CompletedTask;
}

/// <summary>A reference to an actor or a router: the only way to reach it is to send it a message.</summary>
internal interface IActorRef<in TMessage>
{
    /// <summary>A name for messages and logs.</summary>
    string Path { get; }

    /// <summary>Sends a message without waiting (Akka's Tell). Never blocks.</summary>
    PostResult Tell(TMessage message);
}
