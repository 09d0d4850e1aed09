using Akka.Actor;

namespace ModelActors.Host.Server;

/// <summary>
/// The process's exit code once the server has stopped: 0 for a stop asked for (SIGTERM, Ctrl+C), 3 when the cluster
/// downed this node (Akka's split-brain resolver; the exit code Akka's CoordinatedShutdown names for it), so that a
/// supervisor restarting on failure (systemd <c>Restart=on-failure</c>, a container's restart policy) brings it back.
/// </summary>
internal static class ServerExitCode
{
    /// <summary>The code for the server whose actor system is <paramref name="system"/> (null: no actor system was made).</summary>
    public static int For(ActorSystem? system) =>
        system is not null && CoordinatedShutdown.Get(system).ShutdownReason is CoordinatedShutdown.ClusterDowningReason ? 3 : 0;
}
