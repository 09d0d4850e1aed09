namespace ModelActors.Tests.Models;

/// <summary>Models calling models: every sync/async combination, chains, streaming through a dependency.</summary>
public sealed class CompositionTests
{
    [Theory]
    [InlineData(typeof(SyncCaller), typeof(SyncLeaf), "sync(s:x)")]
    [InlineData(typeof(SyncCaller), typeof(AsyncLeaf), "sync(a:x)")]
    [InlineData(typeof(AsyncCaller), typeof(SyncLeaf), "async(s:x)")]
    [InlineData(typeof(AsyncCaller), typeof(AsyncLeaf), "async(a:x)")]
    public async Task EveryCombinationOfSyncAndAsync_Composes(Type outer, Type inner, string expected)
    {
        await using var library = Register(ModelLibrary.CreateBuilder(), ("outer", outer, "leaf"), ("leaf", inner, null)).Build();
        await library.LoadAsync();

        Assert.Equal(expected, await library.Get<string, string>("outer").PredictAsync("x"));
        Assert.Equal(expected, library.GetSync<string, string>("outer").Predict("x"));
    }

    [Fact]
    public async Task Chain_AsyncSyncAsync_Composes()
    {
        await using var library = Register(
            ModelLibrary.CreateBuilder(),
            ("a", typeof(AsyncCaller), "b"),
            ("b", typeof(SyncCaller), "c"),
            ("c", typeof(AsyncLeaf), null)).Build();

        Assert.Equal("async(sync(a:x))", await library.Get<string, string>("a").PredictAsync("x"));
    }

    [Fact]
    public async Task StreamingThroughADependency_YieldsInOrder()
    {
        await using var library = Register(
            ModelLibrary.CreateBuilder(),
            ("streamer", typeof(StreamingCaller), "upper"),
            ("upper", typeof(UpperModel), null)).Build();

        Assert.Equal("A|B|C|D|E", await library.Get<string, string>("streamer").PredictAsync("abcde"));
    }

    [Fact]
    public async Task TheOriginalExceptionType_ReachesTheCallerThroughAChain_WithTheFailingModelsName()
    {
        await using var library = Register(
            ModelLibrary.CreateBuilder(),
            ("a", typeof(AsyncCaller), "b"),
            ("b", typeof(SyncCaller), "c"),
            ("c", typeof(PickyModel), null)).Build();

        var error = await Assert.ThrowsAsync<ModelFailure>(() => library.Get<string, string>("a").PredictAsync("bad").AsTask());

        Assert.Equal("c", ModelErrors.GetModelName(error));
    }

    [Fact]
    public async Task RenamedDependency_IsReachedUnderItsKey()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inner=the-real-leaf"))
            .AddModel<SyncLeaf>("the-real-leaf")
            .Build();

        Assert.Equal("async(s:x)", await library.Get<string, string>("outer").PredictAsync("x"));
        Assert.Equal(new Dictionary<string, string> { ["inner"] = "the-real-leaf" }, library.Describe("outer").Dependencies);
    }

    [Fact]
    public async Task SyncBlockingOnAsync_UnderAThousandConcurrentRequests_NeitherDeadlocksNorStarvesThePool()
    {
        // async -> sync -> async -> sync, one replica each, default thread-pool minimum.
        await using var library = Register(
            ModelLibrary.CreateBuilder(),
            ("a", typeof(AsyncCaller), "b"),
            ("b", typeof(SyncCaller), "c"),
            ("c", typeof(AsyncCaller), "d"),
            ("d", typeof(SyncLeaf), null)).Configure(o => o.DefaultQueueCapacity = 2048).Build();
        await library.LoadAsync();
        var client = library.Get<string, string>("a");

        var calls = Enumerable.Range(0, 1000).Select(i => client.PredictAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).AsTask()).ToList();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"async(sync(async(s:{i})))"), results);
    }

    private static ModelLibraryBuilder Register(ModelLibraryBuilder builder, params (string Name, Type Type, string? Inner)[] models)
    {
        foreach (var (name, type, inner) in models)
        {
            var method = typeof(ModelLibraryBuilder).GetMethods()
                .Single(m => m.Name == nameof(ModelLibraryBuilder.AddModel) && m.IsGenericMethodDefinition && m.GetParameters().Length == 3)
                .MakeGenericMethod(type);
            Action<ModelOptions> configure = o =>
            {
                if (inner is not null)
                {
                    o.Dependencies.Add($"inner={inner}");
                }
            };
            method.Invoke(builder, [name, configure, null]);
        }

        return builder;
    }
}
