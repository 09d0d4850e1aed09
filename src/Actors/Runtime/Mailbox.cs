using System.Threading.Channels;

namespace ModelActors.Runtime;

/// <summary>What happened to a message posted to a mailbox.</summary>
internal enum PostResult
{
    /// <summary>The message is queued and will be processed (or dead-lettered on an abrupt stop).</summary>
    Accepted,

    /// <summary>The mailbox is bounded and full; the message was not queued.</summary>
    Full,

    /// <summary>The mailbox no longer accepts messages (its actor is stopping or stopped).</summary>
    Closed,
}

/// <summary>Mailbox settings: <see cref="Capacity"/> <see langword="null"/> means unbounded.</summary>
/// <param name="Capacity">The bound, or <see langword="null"/> for an unbounded mailbox.</param>
internal sealed record MailboxOptions(int? Capacity = null)
{
    /// <summary>An unbounded mailbox (Akka's default).</summary>
    public static MailboxOptions Unbounded { get; } = new();

    /// <summary>A bounded mailbox that rejects at once when full (never blocks the sender).</summary>
    public static MailboxOptions Bounded(int capacity) =>
        capacity > 0 ? new(capacity) : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A mailbox capacity must be positive.");
}

/// <summary>
/// A FIFO queue of messages in front of one actor (or, for a balancing pool, shared by several), on a
/// <see cref="Channel{T}"/>. Posting never blocks: a full bounded mailbox rejects, a closed one refuses.
/// </summary>
internal sealed class Mailbox<TMessage>
{
    private readonly Channel<TMessage> _channel;

    /// <param name="options">Bounded or unbounded.</param>
    /// <remarks>Always multi-reader: the replicas of a balancing pool share one, and an aborting cell drains its own while its loop may still read.</remarks>
    public Mailbox(MailboxOptions options)
    {
        Options = options;
        _channel = options.Capacity is { } capacity
            ? Channel.CreateBounded<TMessage>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = false,
                SingleWriter = false,
            })
            : Channel.CreateUnbounded<TMessage>(new UnboundedChannelOptions
            {
                SingleReader = false,
                SingleWriter = false,
            });
    }

    public MailboxOptions Options { get; }

    public ChannelReader<TMessage> Reader => _channel.Reader;

    /// <summary>The number of queued messages (not counting one being processed).</summary>
    public int Count => _channel.Reader.Count;

    public bool IsClosed { get; private set; }

    public PostResult Post(TMessage message)
    {
        if (_channel.Writer.TryWrite(message))
        {
            return PostResult.Accepted;
        }

        return IsClosed || _channel.Reader.Completion.IsCompleted ? PostResult.Closed : PostResult.Full;
    }

    /// <summary>Stops accepting messages; those already queued are still delivered.</summary>
    public void Close()
    {
        IsClosed = true;
        _channel.Writer.TryComplete();
    }
}
