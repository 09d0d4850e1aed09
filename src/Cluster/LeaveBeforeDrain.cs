using Akka;
using Akka.Actor;
using Akka.Cluster;

namespace ModelActors.Cluster;

/// <summary>
/// A node that stops leaves the cluster before its models drain: in CoordinatedShutdown's first phase
/// (<c>before-service-unbind</c>) it leaves and waits until it is Exiting, which the leader grants only once every node has
/// seen it leaving, so their routers send it nothing new; then the library drains (<c>service-requests-done</c>) what it
/// accepted. A request that still arrives then is refused, and the router that sent it sends it to another node (a refused
/// request never ran).
/// </summary>
public static class LeaveBeforeDrain
{
    /// <summary>Adds the leave to <paramref name="system"/>'s CoordinatedShutdown (once per system).</summary>
    /// <param name="system">A cluster node's actor system.</param>
    public static void Register(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "model-actors-leave-before-drain", () => LeaveCoreAsync(system));
    }

    /// <summary>How long a node waits to be seen leaving before it drains anyway (convergence needs every node reachable).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Leaves the cluster (unless already leaving or out of it) and completes once this node is Exiting, or after
    /// <see cref="Timeout"/>. Called by the library when it begins to stop, and by CoordinatedShutdown's first phase.
    /// </summary>
    /// <param name="system">A cluster node's actor system.</param>
    /// <returns>A task that completes when the node may drain.</returns>
    public static Task LeaveAsync(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return LeaveCoreAsync(system);
    }

    private static async Task<Done> LeaveCoreAsync(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (cluster.IsTerminated || cluster.SelfMember.Status is MemberStatus.Down or MemberStatus.Removed or MemberStatus.Exiting)
        {
            return Done.Instance;
        }

        var exiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Props.Create(() => new ExitWatcher(exiting)));
        try
        {
            cluster.Leave(cluster.SelfAddress);
            await Task.WhenAny(exiting.Task, Task.Delay(Timeout)).ConfigureAwait(false);
        }
        finally
        {
            system.Stop(watcher);
        }

        return Done.Instance;
    }

    /// <summary>Completes when this node is seen exiting (or removed, or the cluster stops).</summary>
    private sealed class ExitWatcher : ReceiveActor
    {
        public ExitWatcher(TaskCompletionSource exiting)
        {
            var cluster = Akka.Cluster.Cluster.Get(Context.System);
            Receive<ClusterEvent.IMemberEvent>(e =>
            {
                if (e.Member.Address == cluster.SelfAddress && e.Member.Status is MemberStatus.Exiting or MemberStatus.Removed or MemberStatus.Down)
                {
                    exiting.TrySetResult();
                }
            });
            Receive<object>(_ => { });
            cluster.RegisterOnMemberRemoved(() => exiting.TrySetResult());
        }

        protected override void PreStart() =>
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }
}
