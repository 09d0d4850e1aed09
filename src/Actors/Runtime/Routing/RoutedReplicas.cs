using Microsoft.Extensions.Logging;

namespace ModelActors.Runtime.Routing;

/// <summary>Replicas that each own a mailbox, with a count of the work routed to each (queued plus in progress).</summary>
internal sealed class RoutedReplicas<TMessage>
{
    private readonly int[] _pending;

    public RoutedReplicas(string path, int replicas, Props<TMessage> props, MailboxOptions options, ILogger logger, TimeProvider timeProvider)
    {
        _pending = new int[replicas];
        Mailboxes = new Mailbox<TMessage>[replicas];
        Cells = new ActorCell<TMessage>[replicas];
        for (var i = 0; i < replicas; i++)
        {
            var index = i;
            var mailbox = new Mailbox<TMessage>(options, blockingReaders: props.Dispatcher == DispatcherKind.DedicatedThread);
            Mailboxes[i] = mailbox;
            Cells[i] = new ActorCell<TMessage>(
                $"{path}#{i}", i, props, mailbox, ownsReader: true, logger, timeProvider,
                onMessageDone: () => Interlocked.Decrement(ref _pending[index]),
                onStopping: mailbox.Close);
        }
    }

    public Mailbox<TMessage>[] Mailboxes { get; }

    public ActorCell<TMessage>[] Cells { get; }

    public int Count => Mailboxes.Length;

    public int QueueDepth => Mailboxes.Sum(m => m.Count);

    /// <summary>Work routed to replica <paramref name="index"/> and not finished: queued plus in progress.</summary>
    public int Pending(int index) => Volatile.Read(ref _pending[index]);

    /// <summary>Posts to replica <paramref name="index"/>, counting the message as pending when accepted.</summary>
    public PostResult Post(int index, TMessage message)
    {
        Interlocked.Increment(ref _pending[index]);
        var result = Mailboxes[index].Post(message);
        if (result != PostResult.Accepted)
        {
            Interlocked.Decrement(ref _pending[index]);
        }

        return result;
    }

    public void CloseAll()
    {
        foreach (var mailbox in Mailboxes)
        {
            mailbox.Close();
        }
    }
}
