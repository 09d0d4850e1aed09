using Microsoft.Extensions.Logging;

namespace ModelActors.Runtime.Routing;

/// <summary>
/// A pool of replicas of one actor behind a router. Routing runs on the sender's thread (as in Akka):
/// <see cref="Tell"/> picks a mailbox and posts to it, never blocking.
/// </summary>
internal abstract class RouterPool<TMessage> : IActorRef<TMessage>, IAsyncDisposable
{
    private readonly ActorCell<TMessage>[] _cells;

    protected RouterPool(string path, ActorCell<TMessage>[] cells)
    {
        Path = path;
        _cells = cells;
        Started = Task.WhenAll(cells.Select(c => c.Started));
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>The replicas.</summary>
    public IReadOnlyList<ActorCell<TMessage>> Cells => _cells;

    /// <summary>Completes when every replica has started; faults with the first start failure.</summary>
    public Task Started { get; }

    /// <summary>Messages queued and not yet taken by a replica.</summary>
    public abstract int QueueDepth { get; }

    /// <summary>Replicas handling a message right now.</summary>
    public int BusyReplicas => _cells.Sum(c => c.Busy);

    /// <summary>Creates a pool of <paramref name="replicas"/> and starts it.</summary>
    public static RouterPool<TMessage> Start(RouterKind kind, string path, int replicas, Props<TMessage> props, MailboxOptions mailbox, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        RouterPool<TMessage> pool = kind switch
        {
            RouterKind.Balancing => new BalancingPool<TMessage>(path, replicas, props, mailbox, logger, timeProvider),
            RouterKind.RoundRobin => new RoundRobinPool<TMessage>(path, replicas, props, mailbox, logger, timeProvider),
            RouterKind.SmallestMailbox => new SmallestMailboxPool<TMessage>(path, replicas, props, mailbox, logger, timeProvider),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown router."),
        };
        foreach (var cell in pool._cells)
        {
            cell.Start();
        }

        return pool;
    }

    /// <inheritdoc />
    public abstract PostResult Tell(TMessage message);

    /// <summary>
    /// Stops accepting messages and lets the replicas finish everything already accepted. If that takes
    /// longer than <paramref name="cancellationToken"/> allows, what is still queued goes to dead letters.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        CloseMailboxes();
        var all = Task.WhenAll(_cells.Select(c => c.Completion));
        try
        {
            await all.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (var cell in _cells)
            {
                cell.Abort();
            }
        }
    }

    /// <summary>Stops at once: queued messages go to dead letters, messages in progress finish.</summary>
    public void Abort()
    {
        CloseMailboxes();
        foreach (var cell in _cells)
        {
            cell.Abort();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Abort();
        await Task.WhenAll(_cells.Select(c => c.Completion)).ConfigureAwait(false);
    }

    protected abstract void CloseMailboxes();
}
