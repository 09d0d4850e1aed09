using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelActors.Cluster;
using ModelActors.Hosting;

namespace ModelActors.Tests.Cluster;

/// <summary>A node set up through Akka.Hosting, as a service does it, is a cluster node with its models' roles.</summary>
[Collection(Packaging.DotnetBuilds.Name)]
public sealed class HostedClusterNodeTests
{
    [Fact]
    public async Task UseCluster_in_WithModelActors_makes_a_cluster_node_with_the_roles_of_its_models()
    {
        var options = new ModelClusterOptions { Enabled = true, Hostname = "127.0.0.1", Port = 0, Models = ["inner"] };
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("ml", (akka, _) => akka
                .WithModelActors(m => m.AddModel<SyncLeaf>("inner").AddModel<SyncLeaf>("outer").UseCluster(options))))
            .Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var cluster = Akka.Cluster.Cluster.Get(system);
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            cluster.Join(cluster.SelfAddress); // no seed nodes configured: it starts a cluster of its own
            await up.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Contains("Cluster", system.Settings.ProviderClass, StringComparison.Ordinal);
            Assert.Equal(["frame-size:33554432", "model:inner"], Akka.Cluster.Cluster.Get(system).SelfRoles.Order(StringComparer.Ordinal));
            Assert.Equal(1048576 * 32L, system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", null));
            Assert.Equal("s:x", await ModelLibrary.For(system).Get<string, string>("inner").PredictAsync("x"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void UseCluster_on_a_library_built_without_AkkaHosting_fails_in_Build_saying_what_to_do()
    {
        var options = new ModelClusterOptions { Enabled = true, Hostname = "127.0.0.1", Port = 0, Models = ["inner"] };

        var error = Assert.Throws<ModelRegistrationException>(() =>
            ModelLibrary.CreateBuilder().AddModel<SyncLeaf>("inner").AddModel<SyncLeaf>("outer").UseCluster(options).Build());

        Assert.Contains("UseCluster", error.Message, StringComparison.Ordinal);
        Assert.Contains("actor system 'model-actors' is local", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddModelActors", error.Message, StringComparison.Ordinal);
    }
}
