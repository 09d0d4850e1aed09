using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

/// <summary>Requests made before a model has loaded wait at its actor and reach the model in the order they were made.</summary>
public sealed class LoadOrderTests
{
    private const int Total = 20_000;

    [Theory]
    [InlineData(RouterKind.Balancing)]
    [InlineData(RouterKind.RoundRobin)]
    public async Task ClientRequestsMadeWhileTheModelLoads_AndRightAfter_ReachItInTheOrderTheyWereMade(RouterKind router)
    {
        var gate = new TaskCompletionSource();
        var probe = new ProbeModel<int, int>(i => i) { OnLoad = _ => new ValueTask(gate.Task) };
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("m", o => { o.Replicas = 1; o.Router = router; o.QueueCapacity = Total; }, _ => probe)
            .Build();
        var client = library.Get<int, int>("m");
        var calls = new List<Task<int>>();
        for (var i = 0; i < 50; i++)
        {
            calls.Add(client.PredictAsync(i).AsTask());
        }

        gate.SetResult(); // the load ends while more requests are made: none may overtake those held for the load
        for (var i = 50; i < Total; i++)
        {
            calls.Add(client.PredictAsync(i).AsTask());
        }

        Assert.Equal(Enumerable.Range(0, Total), await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(Enumerable.Range(0, Total), probe.Items);
        Assert.Equal(ModelState.Ready, library.Describe("m").State);
    }

    [Fact]
    public async Task ARequestMadeWhileTheModelLoads_FailsWithTheStopError_WhenTheLibraryStopsFirst()
    {
        var gate = new TaskCompletionSource();
        var (probe, loading) = GatedLoad.Probe(gate.Task);
        var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();
        var call = library.Get<int, int>("m").PredictAsync(1).AsTask();
        await loading.WaitAsync(TimeSpan.FromSeconds(10));

        var stopping = library.DisposeAsync().AsTask();
        var error = await Assert.ThrowsAsync<ModelStoppedException>(() => call).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("Model 'm'", error.Message);
        gate.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(probe.Items);
    }
}
