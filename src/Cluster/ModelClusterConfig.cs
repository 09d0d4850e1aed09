using System.Globalization;
using Akka.Configuration;
using ModelActors.Actors;

namespace ModelActors.Cluster;

/// <summary>The HOCON of a cluster node for actor systems made without Akka.Hosting (tests, tools).</summary>
public static class ModelClusterConfig
{
    /// <summary>
    /// Akka's settings for a node with <paramref name="options"/>: the cluster provider, Akka.Remote's address and frame
    /// size (and its buffers), the seed nodes, the node's roles for <paramref name="models"/>, and ModelActors' defaults
    /// (its dispatchers and the serializer of the messages that cross nodes).
    /// </summary>
    /// <param name="options">The node's options.</param>
    /// <param name="models">The names of the registered models (the node's roles come from those it hosts).</param>
    /// <returns>The configuration.</returns>
    public static Config For(ModelClusterOptions options, IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(models);
        var hocon = $$"""
            akka.remote.dot-netty.tcp {
              hostname = {{Quote(options.Hostname)}}
              {{(options.PublicHostname is { } publicHost ? "public-hostname = " + Quote(publicHost) : string.Empty)}}
              port = {{options.Port.ToString(CultureInfo.InvariantCulture)}}
            }
            """;
        return ConfigurationFactory.ParseString(hocon)
            .WithFallback(Membership(options, models))
            .WithFallback(FrameSize(options))
            .WithFallback(ModelActorsConfig.Default);
    }

    /// <summary>The cluster provider, the seed nodes and the node's roles for the models of <paramref name="models"/> it hosts.</summary>
    /// <param name="options">The node's options.</param>
    /// <param name="models">The names of the registered models.</param>
    /// <returns>The configuration.</returns>
    public static Config Membership(ModelClusterOptions options, IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(models);
        return ConfigurationFactory.ParseString(
            $$"""
            akka {
              actor.provider = cluster
              # The node leaves before it drains (LeaveBeforeDrain, up to 10 s): Akka's default 5 s for this phase is short.
              coordinated-shutdown.phases.before-service-unbind.timeout = 15s
              cluster {
                seed-nodes = [{{string.Join(", ", options.SeedNodes.Select(Quote))}}]
                roles = [{{string.Join(", ", options.RolesFor(models).Append(FrameSizes.RoleOf(options.MaximumFrameSize)).Select(Quote))}}]
              }
            }
            """);
    }

    /// <summary>Akka.Remote's frame size and buffers for <paramref name="options"/>.</summary>
    /// <param name="options">The node's options.</param>
    /// <returns>The configuration.</returns>
    public static Config FrameSize(ModelClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaximumFrameSize < 32_000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaximumFrameSize, "ModelActors:Cluster:MaximumFrameSize must be at least 32000 bytes (Akka.Remote's minimum).");
        }

        var bytes = options.MaximumFrameSize.ToString(CultureInfo.InvariantCulture);
        return ConfigurationFactory.ParseString(
            $$"""
            akka.remote.dot-netty.tcp {
              maximum-frame-size = {{bytes}}b
              send-buffer-size = {{bytes}}b
              receive-buffer-size = {{bytes}}b
            }
            """);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
