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
/// A FIFO queue of messages in front of one actor (or, for a balancing pool, shared by several), on an
/// unbounded <see cref="Channel{T}"/> with the bound kept by an atomic count (cheaper than a bounded
/// channel's lock on every read and write). Posting never blocks: a full mailbox rejects, a closed one refuses.
/// </summary>
/// <remarks>Always multi-reader: the replicas of a balancing pool share one, and an aborting cell drains its own while its loop may still read.</remarks>
internal sealed class Mailbox<TMessage>
{
    private readonly Channel<TMessage> _channel;
    private readonly int _capacity;
    private int _count;
    private volatile bool _closed;

    /// <param name="options">Bounded or unbounded.</param>
    /// <param name="blockingReaders">
    /// True when the readers are dedicated threads blocked on the mailbox: a post then wakes the blocked
    /// thread directly instead of through a thread-pool hop. Never for thread-pool readers, whose actor
    /// loop would otherwise run on the sender's thread.
    /// </param>
    public Mailbox(MailboxOptions options, bool blockingReaders = false)
    {
        _capacity = options.Capacity ?? int.MaxValue;
        _channel = Channel.CreateUnbounded<TMessage>(new UnboundedChannelOptions
        {
            SingleReader = false,
            SingleWriter = false,
            AllowSynchronousContinuations = blockingReaders,
        });
    }

    /// <summary>The number of queued messages (not counting one being processed).</summary>
    public int Count => Volatile.Read(ref _count);

    public bool IsClosed => _closed;

    public PostResult Post(TMessage message)
    {
        if (_closed)
        {
            return PostResult.Closed;
        }

        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            return PostResult.Full;
        }

        if (_channel.Writer.TryWrite(message))
        {
            return PostResult.Accepted;
        }

        Interlocked.Decrement(ref _count);
        return PostResult.Closed;
    }

    /// <summary>Takes the next message, if any.</summary>
    public bool TryRead(out TMessage message)
    {
        if (_channel.Reader.TryRead(out message!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Waits for a message; false once the mailbox is closed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync() => _channel.Reader.WaitToReadAsync(CancellationToken.None);

    /// <summary>Stops accepting messages; those already queued are still delivered.</summary>
    public void Close()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }
}
