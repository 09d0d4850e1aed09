using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ModelActors.Cluster;

/// <summary>
/// Keeps a library's messages to other nodes under the smallest frame size of the nodes up. Each node says its own in a
/// role (<c>frame-size:{bytes}</c>): a node checks a message against its own frame size only, and Akka.Remote on a node
/// whose frame is smaller drops a larger one together with the link (the node then counts as unreachable for seconds,
/// and every request to it fails), so a request or reply over the smallest frame fails at once instead, with
/// <see cref="ModelMessageTooLargeException"/>.
/// </summary>
internal sealed class FrameSizes : UntypedActor
{
    private const string RolePrefix = "frame-size:";

    private readonly ModelLibrary _library;
    private readonly long _own;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Dictionary<Address, long> _others = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(int Nodes, IActorRef ReplyTo)> _waiting = [];

    public FrameSizes(ModelLibrary library, long own)
    {
        _library = library;
        _own = own;
    }

    /// <summary>The role that says a node's frame size.</summary>
    public static string RoleOf(long bytes) => RolePrefix + bytes.ToString(CultureInfo.InvariantCulture);

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterEvent.MemberUp up when up.Member.Address != _cluster.SelfAddress && SizeOf(up.Member) is { } size:
                _others[up.Member.Address] = size;
                if (size < _own)
                {
                    _log.Warning(
                        "Node {0} has a smaller frame size ({1:N0} bytes) than this node ({2:N0}): messages between nodes are kept under {1:N0} bytes. Give every node the same ModelActors:Cluster:MaximumFrameSize.",
                        up.Member.Address, size, _own);
                }

                Update();
                break;
            case ClusterEvent.MemberRemoved removed when _others.Remove(removed.Member.Address):
                Update();
                break;
            case ClusterEvent.IMemberEvent:
                break;
            case WhenKnown known:
                _waiting.Add((known.Nodes, Sender));
                Answer();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Update()
    {
        _library.UseSmallestFrameOfOtherNodes(_others.Count == 0 ? long.MaxValue : _others.Values.Min());
        Answer();
    }

    private void Answer()
    {
        foreach (var waiting in _waiting.Where(w => _others.Count >= w.Nodes).ToList())
        {
            _waiting.Remove(waiting);
            waiting.ReplyTo.Tell(_library.FrameLimit);
        }
    }

    /// <summary>Answered with the library's frame limit once the frame sizes of <paramref name="Nodes"/> other nodes are known (a test seam).</summary>
    internal sealed record WhenKnown(int Nodes);

    private static long? SizeOf(Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(RolePrefix, StringComparison.Ordinal)) is { } role
        && long.TryParse(role.AsSpan(RolePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;
}
