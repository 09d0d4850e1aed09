using Akka.Actor;

namespace ModelActors.Remote;

/// <summary>The largest message an actor system sends to another node.</summary>
internal static class FrameLimits
{
    /// <summary>Akka.Remote's <c>maximum-frame-size</c> when the system has remoting (or a cluster), else no limit.</summary>
    public static long Of(ActorSystem system)
    {
        var provider = system.Settings.ProviderClass ?? string.Empty;
        if (!provider.Contains("Remote", StringComparison.Ordinal) && !provider.Contains("Cluster", StringComparison.Ordinal))
        {
            return long.MaxValue;
        }

        return system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", null) ?? 128_000;
    }
}
