using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.Actors;

/// <summary>How each RouterKind spreads work over a model's replicas, in Akka.</summary>
public sealed class RouterTests : ModelActorsTestKit
{
    [Fact]
    public async Task RoundRobin_SendsCallsToTheReplicasInTurn()
    {
        var probe = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("rr", o => { o.Replicas = 3; o.Router = RouterKind.RoundRobin; }, _ => new TestProbeModel<int, int>(probe.Ref)));
        await library.LoadAsync();
        var client = library.Get<int, int>("rr");

        var calls = Enumerable.Range(0, 6).Select(i => client.PredictAsync(i).AsTask()).ToList();
        var batches = new List<ProbeBatch<int>>();
        for (var i = 0; i < 6; i++)
        {
            batches.Add(await probe.ExpectMsgAsync<ProbeBatch<int>>());
            probe.Reply(new List<int> { batches[^1].Items[0] });
        }

        await Task.WhenAll(calls);
        var replicaOf = batches.ToDictionary(b => b.Items[0], b => b.Replica);
        Assert.Equal(3, replicaOf.Values.Distinct().Count());
        Assert.Equal([replicaOf[0], replicaOf[1], replicaOf[2]], [replicaOf[3], replicaOf[4], replicaOf[5]]);
    }

    [Fact]
    public async Task Balancing_WhileOneReplicaIsBusy_TheFreeReplicaTakesEveryQueuedCall()
    {
        var probe = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("pull", o => o.Replicas = 2, _ => new TestProbeModel<int, int>(probe.Ref)));
        await library.LoadAsync();
        var client = library.Get<int, int>("pull");

        var slow = client.PredictAsync(0).AsTask();
        var held = await probe.ExpectMsgAsync<ProbeBatch<int>>();
        var heldSender = probe.LastSender;
        var rest = new List<Task<int>>();
        for (var i = 1; i <= 5; i++)
        {
            rest.Add(client.PredictAsync(i).AsTask());
            var next = await probe.ExpectMsgAsync<ProbeBatch<int>>();
            Assert.NotEqual(held.Replica, next.Replica);
            probe.Reply(new List<int> { next.Items[0] });
        }

        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, await Task.WhenAll(rest));
        heldSender.Tell(new List<int> { 0 });
        Assert.Equal(0, await slow);
    }

    [Fact]
    public async Task SmallestMailbox_UnderLoad_SpreadsQueuedWorkOverTheReplicas()
    {
        // Akka.NET's SmallestMailboxPool compares queued messages only (a replica busy with an empty
        // mailbox looks idle), so under load the mailboxes stay within a message of each other.
        var probe = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("sm", o => { o.Replicas = 2; o.Router = RouterKind.SmallestMailbox; }, _ => new TestProbeModel<int, int>(probe.Ref)));
        await library.LoadAsync();
        var client = library.Get<int, int>("sm");

        var calls = Enumerable.Range(0, 20).Select(i => client.PredictAsync(i).AsTask()).ToList();
        var perReplica = new Dictionary<int, int>();
        for (var i = 0; i < 20; i++)
        {
            var next = await probe.ExpectMsgAsync<ProbeBatch<int>>();
            perReplica[next.Replica] = perReplica.GetValueOrDefault(next.Replica) + 1;
            probe.Reply(new List<int> { next.Items[0] });
        }

        Assert.Equal(Enumerable.Range(0, 20), await Task.WhenAll(calls));
        Assert.Equal(2, perReplica.Count);
        Assert.All(perReplica.Values, count => Assert.InRange(count, 8, 12));
    }

    [Theory]
    [InlineData(RouterKind.Balancing)]
    [InlineData(RouterKind.RoundRobin)]
    [InlineData(RouterKind.SmallestMailbox)]
    public async Task OneReplica_TakesItsWorkInArrivalOrder(RouterKind router)
    {
        var probe = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("fifo", o => o.Router = router, _ => new TestProbeModel<int, int>(probe.Ref)));
        await library.LoadAsync();
        var client = library.Get<int, int>("fifo");

        var calls = Enumerable.Range(0, 10).Select(i => client.PredictAsync(i).AsTask()).ToList();
        var order = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            order.Add((await probe.ExpectMsgAsync<ProbeBatch<int>>()).Items[0]);
            probe.Reply(new List<int> { order[^1] });
        }

        Assert.Equal(Enumerable.Range(0, 10), order);
        Assert.Equal(Enumerable.Range(0, 10), await Task.WhenAll(calls));
    }
}
