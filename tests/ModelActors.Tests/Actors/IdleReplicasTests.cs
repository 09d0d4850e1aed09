using Akka.Actor;
using ModelActors.Actors;
using ModelActors.TestKit;

namespace ModelActors.Tests.Actors;

/// <summary>Balancing's idle-replica handoff: claims, self-unparking, stale entries, and many senders at once.</summary>
public sealed class IdleReplicasTests : ModelActorsTestKit
{
    [Fact]
    public void AParkedReplica_IsClaimedOnce()
    {
        var idle = new IdleReplicas();
        var slot = new IdleReplicas.Slot(TestActor);

        idle.Park(slot);

        Assert.True(idle.TryClaim(out var claimed));
        Assert.Equal(TestActor, claimed);
        Assert.False(idle.TryClaim(out _));
        Assert.False(IdleReplicas.TryUnpark(slot)); // the claimer owes it a message; it must wait for it
    }

    [Fact]
    public void AReplicaThatUnparkedItself_LeavesAStaleEntry_WhichClaimersSkip()
    {
        var idle = new IdleReplicas();
        var first = new IdleReplicas.Slot(CreateTestProbe().Ref);
        var second = new IdleReplicas.Slot(CreateTestProbe().Ref);

        idle.Park(first);
        Assert.True(IdleReplicas.TryUnpark(first));
        idle.Park(second);

        Assert.True(idle.TryClaim(out var claimed));
        Assert.Equal(second.Replica, claimed);
        Assert.False(idle.TryClaim(out _));
    }

    [Fact]
    public void AReplicaParkedTwice_IsClaimedOnlyOnce()
    {
        var idle = new IdleReplicas();
        var slot = new IdleReplicas.Slot(TestActor);

        idle.Park(slot);
        Assert.True(IdleReplicas.TryUnpark(slot));
        idle.Park(slot);

        Assert.True(idle.TryClaim(out _));
        Assert.False(idle.TryClaim(out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task ManySendersAtOnce_EveryCallIsAnswered_AndNothingIsLeftQueuedOrBusy(int replicas)
    {
        var library = CreateLibrary(b => b.AddModel("pull", o => o.Replicas = replicas, _ => new ProbeModel<int, int>(i => i + 1)));
        await library.LoadAsync();
        var client = library.Get<int, int>("pull");

        var callers = Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
        {
            var wrong = 0;
            for (var i = 0; i < 300; i++)
            {
                var item = (c * 1000) + i;
                if (await client.PredictAsync(item) != item + 1)
                {
                    wrong++;
                }
            }

            return wrong;
        })).ToList();

        Assert.All(await Task.WhenAll(callers), wrong => Assert.Equal(0, wrong));
        Assert.Equal(0, library.Describe("pull").QueueDepth);

        // A replica answers its caller a moment before it counts itself free; once drained, none may still count as busy.
        await library.StopAsync();
        Assert.Equal(0, library.Describe("pull").BusyReplicas);
    }

    [Fact]
    public async Task ParkedReplicas_StopWhenTheModelStops()
    {
        var library = CreateLibrary(b => b.AddModel("pull", o => o.Replicas = 3, _ => new ProbeModel<int, int>(i => i)));
        await library.LoadAsync();
        Assert.Equal(1, await library.Get<int, int>("pull").PredictAsync(1));
        Sys.ActorSelection($"/user/{library.Options.ActorName}/pull/*").Tell(new Identify(null), TestActor);
        var replicas = new List<IActorRef>();
        for (var i = 0; i < 3; i++)
        {
            replicas.Add((await ExpectMsgAsync<ActorIdentity>()).Subject!);
            Watch(replicas[^1]);
        }

        await library.StopAsync();

        for (var i = 0; i < replicas.Count; i++)
        {
            await ExpectMsgAsync<Terminated>();
        }

        Assert.Equal(ModelState.Stopped, library.Describe("pull").State);
    }
}
