using Microsoft.Extensions.Logging;

namespace ModelActors.Runtime.Routing;

/// <summary>Messages go to the replicas in turn; a replica whose mailbox is closed is skipped.</summary>
internal sealed class RoundRobinPool<TMessage> : RouterPool<TMessage>
{
    private readonly RoutedReplicas<TMessage> _replicas;
    private int _next = -1;

    public RoundRobinPool(string path, int replicas, Props<TMessage> props, MailboxOptions options, ILogger logger, TimeProvider timeProvider)
        : this(path, new RoutedReplicas<TMessage>(path, replicas, props, options, logger, timeProvider))
    {
    }

    private RoundRobinPool(string path, RoutedReplicas<TMessage> replicas)
        : base(path, replicas.Cells)
    {
        _replicas = replicas;
    }

    public override int QueueDepth => _replicas.QueueDepth;

    public override PostResult Tell(TMessage message)
    {
        var start = (Interlocked.Increment(ref _next) & int.MaxValue) % _replicas.Count;
        var result = PostResult.Closed;
        for (var i = 0; i < _replicas.Count && result == PostResult.Closed; i++)
        {
            result = _replicas.Post((start + i) % _replicas.Count, message);
        }

        return result;
    }

    protected override void CloseMailboxes() => _replicas.CloseAll();
}
