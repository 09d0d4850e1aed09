using Microsoft.Extensions.Logging;

namespace ModelActors.Runtime.Routing;

/// <summary>
/// A message goes to the replica with the least work, counting the message it is processing as well as
/// its queue (Akka.NET's SmallestMailboxPool counts only the queue, #5291). Ties go round-robin.
/// </summary>
internal sealed class SmallestMailboxPool<TMessage> : RouterPool<TMessage>
{
    private readonly RoutedReplicas<TMessage> _replicas;
    private int _next = -1;

    public SmallestMailboxPool(string path, int replicas, Props<TMessage> props, MailboxOptions options, ILogger logger, TimeProvider timeProvider)
        : this(path, new RoutedReplicas<TMessage>(path, replicas, props, options, logger, timeProvider))
    {
    }

    private SmallestMailboxPool(string path, RoutedReplicas<TMessage> replicas)
        : base(path, replicas.Cells)
    {
        _replicas = replicas;
    }

    public override int QueueDepth => _replicas.QueueDepth;

    /// <summary>Work routed to replica <paramref name="index"/> and not finished.</summary>
    public int Pending(int index) => _replicas.Pending(index);

    public override PostResult Tell(TMessage message)
    {
        var count = _replicas.Count;
        var start = (Interlocked.Increment(ref _next) & int.MaxValue) % count;
        var best = -1;
        var bestPending = int.MaxValue;
        for (var i = 0; i < count; i++)
        {
            var index = (start + i) % count;
            if (_replicas.Mailboxes[index].IsClosed)
            {
                continue;
            }

            var pending = _replicas.Pending(index);
            if (pending < bestPending)
            {
                best = index;
                bestPending = pending;
                if (pending == 0)
                {
                    break;
                }
            }
        }

        return best < 0 ? PostResult.Closed : _replicas.Post(best, message);
    }

    protected override void CloseMailboxes() => _replicas.CloseAll();
}
