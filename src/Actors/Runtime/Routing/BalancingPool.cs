using Microsoft.Extensions.Logging;

namespace ModelActors.Runtime.Routing;

/// <summary>
/// Every replica pulls from one shared mailbox, so a free replica always takes the next message and a
/// slow message never holds up others queued behind it (JVM Akka's BalancingPool).
/// </summary>
internal sealed class BalancingPool<TMessage> : RouterPool<TMessage>
{
    private readonly Mailbox<TMessage> _mailbox;

    public BalancingPool(string path, int replicas, Props<TMessage> props, MailboxOptions options, ILogger logger, TimeProvider timeProvider)
        : this(path, new Mailbox<TMessage>(options, blockingReaders: props.Dispatcher == DispatcherKind.DedicatedThread), replicas, props, logger, timeProvider)
    {
    }

    private BalancingPool(string path, Mailbox<TMessage> mailbox, int replicas, Props<TMessage> props, ILogger logger, TimeProvider timeProvider)
        : base(path, Enumerable.Range(0, replicas)
            .Select(i => new ActorCell<TMessage>($"{path}#{i}", i, props, mailbox, ownsReader: replicas == 1, logger, timeProvider))
            .ToArray())
    {
        _mailbox = mailbox;
    }

    public override int QueueDepth => _mailbox.Count;

    public override PostResult Tell(TMessage message) => _mailbox.Post(message);

    protected override void CloseMailboxes() => _mailbox.Close();
}
