namespace ModelActors.Tests.Cluster;

/// <summary>A node that hosts a model serves its own clients itself, unless told to spread their requests over the cluster.</summary>
[Collection(Packaging.DotnetBuilds.Name)]
public sealed class ClusterSpreadTests
{
    [Fact]
    public async Task By_default_a_node_that_hosts_a_model_serves_its_own_clients()
    {
        await using var b = ClusterNode.Start(["work"], ClusterNode.Tagged("b"));
        await using var c = ClusterNode.Start(["work"], ClusterNode.Tagged("c"));
        b.Join(b);
        c.Join(b);
        await b.WhenUpAsync(2);
        await c.Library.LoadAsync();

        var client = b.Library.Get<string, string>("work");
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal($"b:{i}", await client.PredictAsync($"{i}"));
        }
    }

    [Fact]
    public async Task With_PreferLocal_off_a_hosting_node_spreads_its_clients_work_over_every_node_that_hosts_the_model()
    {
        await using var b = ClusterNode.Start(["work"], ClusterNode.Tagged("b"), preferLocal: false);
        await using var c = ClusterNode.Start(["work"], ClusterNode.Tagged("c"), preferLocal: false);
        b.Join(b);
        await b.Library.LoadAsync(); // its door's router is subscribed to the cluster's events before c joins
        c.Join(b);
        await b.WhenUpAsync(2);
        await c.Library.LoadAsync();

        var client = b.Library.Get<string, string>("work");
        var nodes = new Dictionary<string, int>();
        for (var i = 0; i < 20_000 && (nodes.Count < 2 || nodes.Values.Min() < 20); i++)
        {
            var answer = await client.PredictAsync($"{i}");
            Assert.EndsWith($":{i}", answer, StringComparison.Ordinal);
            var node = answer.Split(':')[0];
            nodes[node] = nodes.GetValueOrDefault(node) + 1;
        }

        Assert.Equal(["b", "c"], nodes.Keys.Order());
        Assert.True(nodes.Values.Min() >= 20, string.Join(", ", nodes));

        // An actor's request to the model's actor on this node is served here.
        var reply = await Akka.Actor.Futures.Ask<ModelReply<string>>(b.Library.RouterOf("work"), new ModelRequest<string>(["x"]), TimeSpan.FromSeconds(10));
        Assert.Equal(["b:x"], reply.Results);
    }
}
