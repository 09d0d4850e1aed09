using Akka.Actor;

namespace ModelActors.Remote;

/// <summary>
/// The sender of a <see cref="ModelRequest{TItem}"/>, answered with <see cref="ModelReply{TResult}"/> or a failure: a local
/// sender gets <c>Status.Failure</c> with the exception itself; a sender on another node gets a <see cref="RemoteFailure"/>
/// (read there as <c>Status.Failure</c>), and a reply too large to cross is replaced by a
/// <see cref="ModelMessageTooLargeException"/> (Akka would drop it, and the caller would only time out).
/// </summary>
/// <param name="Actor">The sender.</param>
/// <param name="Model">The model answering.</param>
/// <param name="FrameLimit">The largest message the actor system sends to another node, in bytes.</param>
internal sealed record ReplyTo(IActorRef Actor, string Model, long FrameLimit)
{
    /// <summary>Whether the sender is on another node.</summary>
    public bool IsRemote => IsRemoteActor(Actor);

    /// <summary>Whether <paramref name="actor"/> lives on another node (its address has a host).</summary>
    public static bool IsRemoteActor(IActorRef actor) => actor.Path.Address.HasGlobalScope;

    /// <summary>Answers with <paramref name="results"/>.</summary>
    public void Answer<TResult>(IReadOnlyList<TResult> results)
    {
        var reply = new ModelReply<TResult>(results);
        if (IsRemote)
        {
            Exception? refused;
            try
            {
                refused = Oversized(reply, "the reply");
            }
            catch (Exception error)
            {
                // The results cannot be written for the wire (a codec's error, a value JSON refuses): the sender is told
                // why, rather than waiting for a reply Akka would drop. Nothing may throw here: a work settles through this.
                refused = new InvalidOperationException($"The reply of model '{Model}' cannot be sent to the node that asked: {error.Message}", error);
            }

            if (refused is not null)
            {
                Fail(refused);
                return;
            }
        }

        Actor.Tell(reply, ActorRefs.NoSender);
    }

    /// <summary>Answers with <paramref name="error"/>.</summary>
    public void Fail(Exception error) =>
        Actor.Tell(IsRemote ? RemoteFailure.From(error, Model) : new Status.Failure(error), ActorRefs.NoSender);

    /// <summary>
    /// Null when <paramref name="message"/> fits in one frame (it is then serialized already, and the send uses those
    /// bytes); else the error to answer.
    /// </summary>
    public ModelMessageTooLargeException? Oversized(object message, string what) => Oversized(message, what, Model, FrameLimit);

    /// <inheritdoc cref="Oversized(object, string)"/>
    public static ModelMessageTooLargeException? Oversized(object message, string what, string model, long frameLimit)
    {
        if (frameLimit == long.MaxValue)
        {
            return null;
        }

        // Akka's frame holds the serialized message plus its envelope (recipient, sender, manifest): a margin for those.
        var size = ModelMessageSerializer.Prepare(message).LongLength;
        return size + FrameOverhead > frameLimit ? new ModelMessageTooLargeException(model, what, size, frameLimit - FrameOverhead) : null;
    }

    /// <summary>Bytes of a frame taken by the envelope around a message (addresses, manifest): a generous bound.</summary>
    internal const long FrameOverhead = 4096;
}
