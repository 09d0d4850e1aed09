using Microsoft.Extensions.Configuration;
using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary><c>serve</c>'s cluster switches and the <c>ModelActors:Cluster</c> section the server reads.</summary>
public sealed class ClusterSwitchesTests
{
    [Fact]
    public void Switches_become_the_sections_keys_and_lists()
    {
        var options = Read("--cluster", "--cluster-port", "4100", "--cluster-hostname", "10.0.0.5", "--cluster-seeds", "akka.tcp://model-actors@a:4053, akka.tcp://model-actors@b:4053", "--cluster-models=ocr,vad");

        Assert.True(options.Enabled);
        Assert.Equal(4100, options.Port);
        Assert.Equal("10.0.0.5", options.Hostname);
        Assert.Equal(["akka.tcp://model-actors@a:4053", "akka.tcp://model-actors@b:4053"], options.SeedNodes);
        Assert.Equal(["ocr", "vad"], options.Models);
        Assert.True(options.Hosts("ocr"));
        Assert.False(options.Hosts("echo"));
    }

    [Fact]
    public void Without_models_a_node_hosts_every_model_and_an_empty_list_hosts_none()
    {
        Assert.True(Read("--cluster").Hosts("echo"));
        Assert.False(Read("--cluster", "--cluster-models=").Hosts("echo"));
        Assert.False(Read().Enabled);
    }

    [Fact]
    public void The_nodes_roles_say_what_it_serves()
    {
        Assert.Equal(["http", "grpc"], Read("--cluster").Roles);
        Assert.Equal(["http"], Read("--cluster", "--Server:GrpcUrl=").Roles);
        Assert.Equal(["model:ocr", "http", "grpc"], Read("--cluster", "--cluster-models=ocr").RolesFor(["ocr", "vad"]));
    }

    [Fact]
    public void The_frame_size_follows_the_request_body_limit_unless_set()
    {
        Assert.Equal((64L << 20) + (1L << 20), Read("--cluster").MaximumFrameSize);
        Assert.Equal((100L << 20) + (1L << 20), Read("--cluster", "--Server:MaxRequestBodySize=104857600").MaximumFrameSize);
        Assert.Equal(40_000_000, Read("--cluster", "--ModelActors:Cluster:MaximumFrameSize=40000000").MaximumFrameSize);
    }

    [Fact]
    public void A_list_switch_without_a_value_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterSwitches.Expand(["--cluster-seeds"]));
        Assert.Contains("--cluster-seeds", error.Message, StringComparison.Ordinal);
    }

    private static Cluster.ModelClusterOptions Read(params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(ClusterSwitches.Expand(args)).Build();
        return ServerSetup.ClusterOptions(configuration);
    }
}
