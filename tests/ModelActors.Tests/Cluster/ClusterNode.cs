using Akka.Actor;
using Akka.Cluster;
using ModelActors.Cluster;

namespace ModelActors.Tests.Cluster;

/// <summary>
/// One node of a test cluster in this process: an actor system on 127.0.0.1 with a port of its own, and a model library
/// placed by <see cref="ModelClusterOptions"/> (the models it hosts).
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private ClusterNode(ActorSystem system, ModelLibrary library)
    {
        System = system;
        Library = library;
    }

    public ActorSystem System { get; }

    public ModelLibrary Library { get; }

    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>
    /// Starts a node hosting <paramref name="hosts"/>, with every model <paramref name="register"/> adds; it leaves the
    /// cluster before its models drain when it stops. Split-brain resolution downs an unreachable node after 3 s (20 s by
    /// default), so that a test with a dead node ends soon; heartbeats may pause 6 s (3 s by default) before a node counts
    /// as unreachable, so that a busy test machine does not make one look dead.
    /// </summary>
    public static ClusterNode Start(string[] hosts, Action<ModelLibraryBuilder> register, long maximumFrameSize = 16L * 1024 * 1024, string[]? idempotent = null, bool preferLocal = true)
    {
        var options = new ModelClusterOptions
        {
            Enabled = true, Hostname = "127.0.0.1", Port = 0, Models = [.. hosts], MaximumFrameSize = maximumFrameSize, IdempotentModels = [.. idempotent ?? []],
            PreferLocal = preferLocal,
        };
        var builder = ModelLibrary.CreateBuilder();
        register(builder);
        var names = builder.BuildDefinitions().Definitions.Keys; // the node's roles come from the models it hosts
        var settings = "akka.loglevel = WARNING\nakka.cluster.split-brain-resolver.stable-after = 3s\nakka.cluster.failure-detector.acceptable-heartbeat-pause = 6s";
        var system = ActorSystem.Create("ml", ModelClusterConfig.For(options, names).WithFallback(settings));
        LeaveBeforeDrain.Register(system);
        var nodeBuilder = ModelLibrary.CreateBuilder().UseActorSystem(system).UseCluster(options);
        register(nodeBuilder);
        return new ClusterNode(system, nodeBuilder.Build());
    }

    /// <summary>Registers model "work": a <see cref="NodeTagModel"/> answering with <paramref name="node"/>'s name.</summary>
    public static Action<ModelLibraryBuilder> Tagged(string node) => models => models.AddModel("work", factory: _ => new NodeTagModel(node));

    /// <summary>Joins the cluster of <paramref name="seed"/> (itself: starts one).</summary>
    public void Join(ClusterNode seed) => Akka.Cluster.Cluster.Get(System).Join(seed.Address);

    /// <summary>Completes when this node has seen <paramref name="members"/> members up.</summary>
    public Task WhenUpAsync(int members)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        System.ActorOf(Props.Create(() => new UpWatcher(members, up)));
        return up.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops the node as a crash would: no leave, no drain; the others find it unreachable.</summary>
    public void Crash() => ((ExtendedActorSystem)System).Abort();

    public async ValueTask DisposeAsync()
    {
        await Library.DisposeAsync();
        await System.Terminate();
    }

    /// <summary>Counts the members it sees up (from the current state on, then as they come).</summary>
    private sealed class UpWatcher : ReceiveActor
    {
        public UpWatcher(int members, TaskCompletionSource up)
        {
            var seen = new HashSet<Address>();
            Receive<ClusterEvent.MemberUp>(m =>
            {
                seen.Add(m.Member.Address);
                if (seen.Count >= members)
                {
                    up.TrySetResult();
                    Context.Stop(Self);
                }
            });
            Receive<object>(_ => { });
        }

        protected override void PreStart() =>
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }
}
