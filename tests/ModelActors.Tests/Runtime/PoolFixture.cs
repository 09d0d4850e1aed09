using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using ModelActors.Runtime;
using ModelActors.Runtime.Routing;

namespace ModelActors.Tests.Runtime;

/// <summary>Builds router pools of <see cref="RecordingActor"/>s and collects what they log and dead-letter.</summary>
internal sealed class PoolFixture
{
    public ConcurrentQueue<(int Replica, int Id)> Log { get; } = new();

    public ConcurrentQueue<TestMessage> DeadLetters { get; } = new();

    public ConcurrentQueue<int> Starts { get; } = new();

    public RouterPool<TestMessage> Start(RouterKind kind, int replicas, Func<Props<TestMessage>, Props<TestMessage>>? configure = null, TimeProvider? timeProvider = null, MailboxOptions? mailbox = null)
    {
        var props = new Props<TestMessage>(i => new RecordingActor(i, Log, Starts.Enqueue)) { DeadLetters = DeadLetters.Enqueue };
        props = configure?.Invoke(props) ?? props;
        return RouterPool<TestMessage>.Start(kind, "test", replicas, props, mailbox ?? MailboxOptions.Unbounded, NullLogger.Instance, timeProvider ?? TimeProvider.System);
    }

    public static TimeSpan Patience => TimeSpan.FromSeconds(10);
}
