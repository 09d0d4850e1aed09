using Akka.Actor;
using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>The server's exit code: 3 when the cluster downed the node (so that a supervisor restarts it), else 0.</summary>
public sealed class ServerExitCodeTests
{
    [Fact]
    public async Task ANodeTheClusterDowned_Exits3_AStopAskedForExits0()
    {
        using var downed = ActorSystem.Create("downed", "akka.loglevel = OFF\nakka.coordinated-shutdown.exit-clr = off\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off");
        using var stopped = ActorSystem.Create("stopped", "akka.loglevel = OFF\nakka.coordinated-shutdown.run-by-clr-shutdown-hook = off");

        await CoordinatedShutdown.Get(downed).Run(CoordinatedShutdown.ClusterDowningReason.Instance);
        await CoordinatedShutdown.Get(stopped).Run(CoordinatedShutdown.ClrExitReason.Instance);

        Assert.Equal(3, ServerExitCode.For(downed));
        Assert.Equal(0, ServerExitCode.For(stopped));
        Assert.Equal(0, ServerExitCode.For(null));
    }
}
