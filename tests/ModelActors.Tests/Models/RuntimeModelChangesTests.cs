using Akka.Actor;
using Microsoft.Extensions.Configuration;
using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

/// <summary>Models added and removed while the library runs: registration checks, drain on removal, dependents.</summary>
public sealed class RuntimeModelChangesTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task AModelAddedAtRunTime_IsCalled_Described_AndCanDependOnRegisteredModels()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModelTypesFrom(typeof(UpperModel).Assembly).AddModel<UpperModel>().Build();

        await library.AddModelAsync("leaf", Config(("Type", nameof(SyncLeaf)), ("Replicas", "2")));
        await library.AddModelAsync("caller", Config(("Type", nameof(AsyncCaller)), ("Dependencies:0", "inner=leaf")));

        Assert.Equal("async(s:x)", await library.Get<string, string>("caller").PredictAsync("x"));
        Assert.Equal(2, library.Describe("leaf").Replicas);
        Assert.Equal(["caller", "leaf", "upper"], library.ModelNames);
    }

    [Theory]
    [InlineData("upper", nameof(SyncLeaf), null, "Model 'upper' is already registered.")]
    [InlineData("new", "NoSuchModel", null, "NoSuchModel")]
    [InlineData("new", nameof(AsyncCaller), "inner=missing", "missing")]
    public async Task AnInvalidAddition_IsRefused_NamingWhy_AndChangesNothing(string name, string type, string? dependency, string message)
    {
        await using var library = ModelLibrary.CreateBuilder().AddModelTypesFrom(typeof(UpperModel).Assembly).AddModel<UpperModel>().Build();
        var settings = dependency is null ? Config(("Type", type)) : Config(("Type", type), ("Dependencies:0", dependency));

        var error = await Assert.ThrowsAsync<ModelRegistrationException>(() => library.AddModelAsync(name, settings));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(["upper"], library.ModelNames);
    }

    [Fact]
    public async Task Removing_RefusesNewRequests_DrainsTheAcceptedOnes_ThenTheModelIsGone()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = ProbeModel<string, string>.Holding(gate.Task, s => s + "!");
        await using var library = ModelLibrary.CreateBuilder().AddModel("held", null, _ => probe).AddModel<UpperModel>().Build();
        await library.LoadAsync();
        var client = library.Get<string, string>("held");
        var accepted = client.PredictAsync("a").AsTask();
        await probe.ExpectBatchesAsync(1);
        var actor = library.RouterOf("held");

        var removal = library.RemoveModelAsync("held");
        var refused = await Assert.ThrowsAsync<ModelStoppedException>(() => client.PredictAsync("b").AsTask());
        Assert.False(removal.IsCompleted); // the accepted request still runs
        gate.SetResult();
        await removal.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("a!", await accepted);
        Assert.Equal("held", refused.ModelName);
        Assert.Throws<ModelNotFoundException>(() => library.Get<string, string>("held"));
        Assert.Equal(["upper"], library.ModelNames);
        var terminated = await actor.Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(10));
        Assert.Null(terminated.Subject); // its actor stopped
        Assert.Equal("UPPER", await library.Get<string, string>("upper").PredictAsync("upper")); // the others serve on
    }

    [Fact]
    public async Task AModelOthersDependOn_IsNotRemoved_AndTheErrorNamesThem()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModelTypesFrom(typeof(UpperModel).Assembly).AddModel<UpperModel>().Build();
        await library.AddModelAsync("caller", Config(("Type", nameof(AsyncCaller)), ("Dependencies:0", "inner=upper")));

        var error = await Assert.ThrowsAsync<ModelDependencyException>(() => library.RemoveModelAsync("upper"));
        await library.RemoveModelAsync("caller");
        await library.RemoveModelAsync("upper");

        Assert.Equal("Model 'upper' cannot be removed: 'caller' depends on it; remove it first.", error.Message);
        Assert.Empty(library.ModelNames);
        await Assert.ThrowsAsync<ModelNotFoundException>(() => library.RemoveModelAsync("upper"));
    }

    [Fact]
    public async Task OnceTheLibraryStops_NoModelIsAddedOrRemoved()
    {
        var library = ModelLibrary.CreateBuilder().AddModelTypesFrom(typeof(UpperModel).Assembly).AddModel<UpperModel>().Build();
        await library.DisposeAsync();

        await Assert.ThrowsAsync<ModelStoppedException>(() => library.AddModelAsync("leaf", Config(("Type", nameof(SyncLeaf)))));
        await Assert.ThrowsAsync<ModelStoppedException>(() => library.RemoveModelAsync("upper"));
    }
}
