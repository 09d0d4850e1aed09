using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

public sealed class LoadingTests
{
    [Fact]
    public async Task ASharedDependency_IsLoadedOnce_BeforeTheModelsThatNeedIt()
    {
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        ProbeModel<string, string> Probe(string name) => new(s => s) { OnLoad = _ => { order.Enqueue(name); return ValueTask.CompletedTask; } };
        var shared = Probe("shared");
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("left", o => o.Dependencies.Add("shared"), _ => Probe("left"))
            .AddModel("right", o => o.Dependencies.Add("shared"), _ => Probe("right"))
            .AddModel("shared", factory: _ => shared)
            .Build();

        await library.LoadAsync();

        Assert.Equal(1, shared.Loads);
        Assert.Equal("shared", order.First());
        Assert.Equal(3, order.Count);
    }

    [Fact]
    public async Task EachReplica_LoadsItsOwnInstance()
    {
        var name = $"counting-{Guid.NewGuid():N}";
        await using var library = ModelLibrary.CreateBuilder().AddModel<CountingModel>(name, o => o.Replicas = 3).Build();

        await library.LoadAsync();

        Assert.Equal(3, CountingModel.LoadsByName[name]);
        Assert.Equal($"{name}:x", await library.Get<string, string>(name).PredictAsync("x"));
    }

    [Fact]
    public async Task RequiredModels_LoadWithTheirDependencies_AndNothingElse()
    {
        var unrelated = new ProbeModel<string, string>(s => s);
        var leaf = new ProbeModel<string, string>(s => s);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inner=leaf"))
            .AddModel("leaf", factory: _ => leaf)
            .AddModel("unrelated", factory: _ => unrelated)
            .Configure(o => o.RequiredModels.Add("outer"))
            .Build();

        await library.LoadAsync();

        Assert.Equal(1, leaf.Loads);
        Assert.Equal(0, unrelated.Loads);
        Assert.Equal(ModelState.Ready, library.Describe("outer").State);
        Assert.Equal(ModelState.NotLoaded, library.Describe("unrelated").State);
    }

    [Fact]
    public async Task LazyLoading_LoadsNothingAtStart_AndLoadsOnTheFirstRequest()
    {
        var probe = new ProbeModel<string, string>(s => s + "!");
        await using var library = ModelLibrary.CreateBuilder().AddModel("lazy", factory: _ => probe).Configure(o => o.LazyLoading = true).Build();

        await library.LoadAsync();
        Assert.Equal(0, probe.Loads);

        Assert.Equal("hi!", await library.Get<string, string>("lazy").PredictAsync("hi"));
        Assert.Equal(1, probe.Loads);
    }

    [Fact]
    public async Task AFailedLazyLoad_FailsTheRequest_AndIsRetriedOnTheNextRequest()
    {
        var probe = new ProbeModel<string, string>(s => s);
        var failuresLeft = 1;
        probe.OnLoad = _ => Interlocked.Decrement(ref failuresLeft) >= 0 ? throw new IOException("asset missing") : ValueTask.CompletedTask;
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("flaky", factory: _ => probe)
            .Configure(o => { o.LazyLoading = true; o.LoadRetries = 0; })
            .Build();
        var client = library.Get<string, string>("flaky");

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => client.PredictAsync("x").AsTask());
        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal("flaky", error.ModelName);
        Assert.Equal("flaky", ModelErrors.GetModelName(error)); // the runtime's own errors name their model there too
        Assert.Equal(ModelState.Failed, library.Describe("flaky").State);
        Assert.Contains("asset missing", library.Describe("flaky").Error);

        Assert.Equal("x", await client.PredictAsync("x"));
        Assert.Equal(ModelState.Ready, library.Describe("flaky").State);
        Assert.Null(library.Describe("flaky").Error);
    }

    [Fact]
    public async Task Describe_ReportsTypesReplicasRouterDependenciesStateAndLoadTime()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<AsyncCaller>("outer", o => { o.Dependencies.Add("inner=upper"); o.Replicas = 2; o.Router = RouterKind.SmallestMailbox; })
            .AddModel<UpperModel>()
            .Build();
        await library.LoadAsync();

        var outer = library.Describe().Single(d => d.Name == "outer");

        Assert.Equal(typeof(AsyncCaller), outer.ModelType);
        Assert.Equal((typeof(string), typeof(string)), (outer.ItemType, outer.ResultType));
        Assert.False(outer.IsSync);
        Assert.True(library.Describe("upper").IsSync);
        Assert.Equal(2, outer.Replicas);
        Assert.Equal(RouterKind.SmallestMailbox, outer.Router);
        Assert.Equal("upper", outer.Dependencies["inner"]);
        Assert.Equal(ModelState.Ready, outer.State);
        Assert.NotNull(outer.LoadDuration);
    }

    [Fact]
    public async Task DisposeAsync_DrainsAcceptedRequests_ThenRefusesNewOnes()
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        var library = ModelLibrary.CreateBuilder().AddModel("slow", factory: _ => probe).Build();
        var client = library.Get<int, int>("slow");
        var accepted = Enumerable.Range(0, 5).Select(i => client.PredictAsync(i).AsTask()).ToList();
        await probe.ExpectBatchesAsync(1);

        var disposing = library.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        await Assert.ThrowsAsync<ModelStoppedException>(() => client.PredictAsync(99).AsTask());

        gate.SetResult();
        await disposing;
        var answers = await Task.WhenAll(accepted);
        Assert.Equal([0, 1, 2, 3, 4], answers);
        Assert.Equal(ModelState.Stopped, library.Describe("slow").State);
    }

    [Fact]
    public async Task Stop_RefusesNewRequestsAtOnce_WhileADependencyStillServesItsDrainingDependent()
    {
        var gate = new TaskCompletionSource();
        var inner = ProbeModel<string, string>.Holding(gate.Task, s => s.ToUpperInvariant());
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inner=inner"))
            .AddModel("inner", factory: _ => inner)
            .Build();
        await library.LoadAsync();
        var outer = library.Get<string, string>("outer");
        var inFlight = outer.PredictAsync("a").AsTask();
        await inner.ExpectBatchesAsync(1);

        var stopping = library.StopAsync();

        await Assert.ThrowsAsync<ModelStoppedException>(() => outer.PredictAsync("b").AsTask());
        var direct = library.Get<string, string>("inner").PredictAsync("c").AsTask();
        gate.SetResult();
        await stopping;
        Assert.Equal("async(A)", await inFlight);
        Assert.Equal("C", await direct);
    }

    [Theory]
    [InlineData(1)] // queued in the replica's mailbox
    [InlineData(2)] // queued in Balancing's balancing actor
    public async Task Stop_WhenTheDrainDeadlinePasses_FailsQueuedRequestsWithAShutdownError(int replicas)
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("slow", o => o.Replicas = replicas, _ => probe)
            .Configure(o => o.DrainTimeout = TimeSpan.FromSeconds(5))
            .UseTimeProvider(clock)
            .Build();
        var client = library.Get<int, int>("slow");
        var first = Enumerable.Range(0, replicas).Select(i => client.PredictAsync(-i).AsTask()).ToList();
        await probe.ExpectBatchesAsync(replicas);
        var queued = Enumerable.Range(1, 3).Select(i => client.PredictAsync(i).AsTask()).ToList();

        var stopping = library.StopAsync();
        await clock.WaitForTimersAsync(replicas + 4); // the request deadlines and the drain deadline
        clock.Advance(TimeSpan.FromSeconds(5));
        await stopping;

        foreach (var request in queued)
        {
            var error = await Assert.ThrowsAsync<ModelStoppedException>(() => request);
            Assert.Equal("slow", error.ModelName);
        }

        gate.SetResult();
        Assert.Equal(Enumerable.Range(0, replicas).Select(i => -i), await Task.WhenAll(first)); // the requests in progress still finish
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)] // the balancing router's replicas
    public async Task AFailedLoad_DisposesWhatItMade_AndItsReplicasStop_SoAStopNeedNotWaitForTheDrainDeadline(int replicas)
    {
        var (made, disposed) = (0, 0);
        var clock = new ManualTimeProvider(); // never moved: the drain deadline cannot pass
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("broken", o => o.Replicas = replicas, _ =>
            {
                Interlocked.Increment(ref made);
                return new LoadFails(() => Interlocked.Increment(ref disposed));
            })
            .Configure(o => o.LoadRetries = 0)
            .UseTimeProvider(clock)
            .Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => library.LoadAsync());
        await library.StopAsync().WaitAsync(TimeSpan.FromSeconds(60)); // waited for the drain deadline while a failed replica lived on

        Assert.IsType<IOException>(error.InnerException);
        Assert.InRange(Volatile.Read(ref made), 1, replicas); // a replica stopped before its turn to load makes none
        Assert.Equal(Volatile.Read(ref made), Volatile.Read(ref disposed)); // each instance made is disposed once, though none loaded
    }

    private sealed class LoadFails(Action disposed) : Model<int, int>, IDisposable
    {
        public void Dispose() => disposed();

        protected override void Load(ModelContext context) => throw new IOException("weights missing");

        protected override int Predict(int item, CancellationToken cancellationToken) => item;
    }
}
