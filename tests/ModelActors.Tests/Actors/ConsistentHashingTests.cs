using Akka.Actor;
using Akka.Routing;
using ModelActors.TestKit;

namespace ModelActors.Tests.Actors;

/// <summary>RouterKind.ConsistentHashing: Akka's ConsistentHashingPool keyed by the item, and the settings it refuses.</summary>
public sealed class ConsistentHashingTests : ModelActorsTestKit
{
    [Fact]
    public async Task EveryRequestWithTheSameKey_ReachesTheSameReplica_AndKeysSpreadOverTheReplicas()
    {
        var probe = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("chat", o => { o.Replicas = 4; o.Router = RouterKind.ConsistentHashing; }, _ => new TestProbeModel<Turn, int>(probe.Ref)));
        await library.LoadAsync();
        var client = library.Get<Turn, int>("chat");
        var router = library.RouterOf("chat");
        var sender = CreateTestProbe();

        var replicaOf = new Dictionary<string, HashSet<int>>();
        for (var round = 0; round < 3; round++)
        {
            for (var conversation = 0; conversation < 12; conversation++)
            {
                var turn = new Turn($"conversation-{conversation}", $"turn {round}");
                var call = round == 1
                    ? null
                    : client.PredictAsync(turn).AsTask();
                if (round == 1)
                {
                    router.Tell(new ModelRequest<Turn>([turn]), sender.Ref); // a message takes the same path
                }

                var batch = await probe.ExpectMsgAsync<ProbeBatch<Turn>>();
                probe.Reply(new List<int> { round });
                Assert.Equal(turn, batch.Items[0]);
                (replicaOf.TryGetValue(turn.Conversation, out var seen) ? seen : replicaOf[turn.Conversation] = []).Add(batch.Replica);
                if (call is not null)
                {
                    Assert.Equal(round, await call);
                }
                else
                {
                    Assert.Equal([round], (await sender.ExpectMsgAsync<ModelReply<int>>()).Results);
                }
            }
        }

        Assert.All(replicaOf.Values, replicas => Assert.Single(replicas));
        Assert.True(replicaOf.Values.Select(r => r.Single()).Distinct().Count() > 1, "twelve keys all went to one replica");
    }

    [Fact]
    public async Task PlainItems_AreTheirOwnKey()
    {
        var probe = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("keyed", o => { o.Replicas = 3; o.Router = RouterKind.ConsistentHashing; }, _ => new TestProbeModel<string, int>(probe.Ref)));
        await library.LoadAsync();
        var client = library.Get<string, int>("keyed");

        var replicas = new List<int>();
        foreach (var item in new[] { "a", "b", "a", "c", "a" })
        {
            var call = client.PredictAsync(item).AsTask();
            var batch = await probe.ExpectMsgAsync<ProbeBatch<string>>();
            probe.Reply(new List<int> { 0 });
            await call;
            replicas.Add(batch.Replica);
        }

        Assert.Equal(replicas[0], replicas[2]);
        Assert.Equal(replicas[0], replicas[4]);
    }

    [Fact]
    public void WithBatching_IsAnErrorNamingTheModel()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel("keyed", o => { o.Router = RouterKind.ConsistentHashing; o.MaxBatchSize = 8; }, _ => new TestProbeModel<string, int>(ActorRefs.Nobody))
            .Build());

        Assert.Contains(error.Errors, e => e.Contains("Model 'keyed': Router ConsistentHashing cannot be combined with batching", StringComparison.Ordinal));
    }

    [Fact]
    public void ItemsWithoutAKey_AreAnErrorNamingTheModelAndTheItemType()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel("keyless", o => o.Router = RouterKind.ConsistentHashing, _ => new TestProbeModel<Keyless, int>(ActorRefs.Nobody))
            .Build());

        Assert.Contains(error.Errors, e => e.Contains("Model 'keyless': Router ConsistentHashing needs a key from each item, but its item type Keyless", StringComparison.Ordinal));
    }

    [Fact]
    public void ARouterValueOutsideTheEnum_IsAnErrorNamingTheKinds()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel("odd", o => o.Router = (RouterKind)42, _ => new TestProbeModel<string, int>(ActorRefs.Nobody))
            .Build());

        Assert.Contains(error.Errors, e => e.Contains("Model 'odd': Router 42 is not one of Balancing, RoundRobin, SmallestMailbox, ConsistentHashing", StringComparison.Ordinal));
    }

    /// <summary>A turn of a conversation: keyed by its conversation.</summary>
    public sealed record Turn(string Conversation, string Text) : IConsistentHashable
    {
        /// <inheritdoc />
        public object ConsistentHashKey => Conversation;
    }

    /// <summary>An item type with no key.</summary>
    public sealed record Keyless(int[] Values);
}
