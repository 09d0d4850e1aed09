using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.Actors;

/// <summary>Draining a model's replicas on stop, for each router kind.</summary>
public sealed class DrainTests
{
    [Theory]
    [InlineData(RouterKind.Balancing)]
    [InlineData(RouterKind.RoundRobin)]
    [InlineData(RouterKind.SmallestMailbox)]
    public async Task Stopping_FinishesAcceptedWorkFirst_ThenRefusesNewWork(RouterKind router)
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("drain", o => { o.Replicas = 2; o.Router = router; }, _ => probe).Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("drain");
        var accepted = Enumerable.Range(0, 10).Select(i => client.PredictAsync(i).AsTask()).ToList();
        await probe.ExpectBatchesAsync(2);

        var stopping = library.StopAsync();
        await Assert.ThrowsAsync<ModelStoppedException>(() => client.PredictAsync(99).AsTask());
        Assert.False(stopping.IsCompleted);

        gate.SetResult();
        await stopping;
        Assert.Equal(Enumerable.Range(0, 10), await Task.WhenAll(accepted));
        Assert.Equal(ModelState.Stopped, library.Describe("drain").State);
    }

    [Fact]
    public async Task CoordinatedShutdownOfTheUsersSystem_DrainsAcceptedWork_BeforeTheActorsStop()
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i + 1);
        var system = ActorSystem.Create("users-own");
        await using var library = ModelLibrary.CreateBuilder().UseActorSystem(system).AddModel("drain", factory: _ => probe).Build();
        await library.LoadAsync();
        var accepted = library.Get<int, int>("drain").PredictAsync(1).AsTask();
        await probe.ExpectBatchesAsync(1);

        var shutdown = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        Assert.False(shutdown.IsCompleted);
        Assert.False(accepted.IsCompleted);
        gate.SetResult();
        await shutdown;

        Assert.Equal(2, await accepted);
        Assert.True(system.WhenTerminated.IsCompleted);
    }
}
