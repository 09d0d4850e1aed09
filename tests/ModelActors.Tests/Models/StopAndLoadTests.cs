using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

/// <summary>How a stop meets a load in progress and a replica stuck in a call, and when a held request's deadline runs.</summary>
public sealed class StopAndLoadTests
{
    [Fact]
    public async Task AStopPastItsDrainDeadline_Returns_WhileASyncReplicaIsStillInsideACall()
    {
        var stuck = new StuckModel();
        var library = ModelLibrary.CreateBuilder().AddModel("stuck", factory: _ => stuck).Build();
        await library.LoadAsync();
        var call = library.Get<int, int>("stuck").PredictAsync(1).AsTask();
        await stuck.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        try
        {
            // The drain deadline has already passed: the stop must not wait for the call (its thread is busy in it).
            await library.StopAsync(new CancellationToken(canceled: true)).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(ModelState.Stopped, library.Describe("stuck").State);
        }
        finally
        {
            stuck.Gate.Set();
        }

        Assert.Equal(1, await call.WaitAsync(TimeSpan.FromSeconds(10))); // the call in progress still answers its caller
        await library.DisposeAsync();
    }

    [Theory]
    [InlineData(1, false)] // queued in the replica's mailbox
    [InlineData(2, false)] // queued in the balancing actor in front of two stuck replicas
    [InlineData(1, true)]  // in the user's actor system
    public async Task RequestsQueuedBehindAStuckSyncCall_FailWithAShutdownError_WhenTheStopGivesUp_NotWhenTheCallReturns(int replicas, bool ownSystem)
    {
        var stuck = new StuckModel();
        using var system = ownSystem ? ActorSystem.Create("own", "akka.loglevel = OFF") : null;
        var builder = ModelLibrary.CreateBuilder().AddModel("stuck", o => (o.Replicas, o.Timeout) = (replicas, TimeSpan.FromMinutes(10)), _ => stuck);
        var library = (system is null ? builder : builder.UseActorSystem(system)).Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("stuck");
        var running = Enumerable.Range(0, replicas).Select(i => client.PredictAsync(-i).AsTask()).ToList();
        for (var i = 0; i < replicas; i++)
        {
            await stuck.Entered.WaitAsync(TimeSpan.FromSeconds(10)); // every replica's thread is inside a call
        }

        var queued = Enumerable.Range(1, 3).Select(i => client.PredictAsync(i).AsTask()).ToList();
        try
        {
            await library.StopAsync(new CancellationToken(canceled: true)).WaitAsync(TimeSpan.FromSeconds(10)); // the drain deadline has passed

            foreach (var request in queued)
            {
                // Failed now, while the calls are still stuck: not when they return, nor at the 10-minute deadline.
                var error = await Assert.ThrowsAsync<ModelStoppedException>(() => request).WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Equal("stuck", error.ModelName);
            }

            Assert.All(running, call => Assert.False(call.IsCompleted));
        }
        finally
        {
            stuck.Gate.Set();
        }

        Assert.Equal(Enumerable.Range(0, replicas).Select(i => -i), await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10))); // the calls in progress still answer
        await library.DisposeAsync();
    }

    [Fact]
    public async Task ALoadAskedFor_OnceTheActorSystemHasEndedUnderTheLibrary_FailsSayingSo_NotLeftWaiting()
    {
        // Ended without CoordinatedShutdown (whose phase would stop the library first, with its own error).
        var system = Akka.Actor.ActorSystem.Create("ends-under-the-library", "akka.coordinated-shutdown.run-by-actor-system-terminate = off");
        await using var library = ModelLibrary.CreateBuilder().UseActorSystem(system).AddModel("lazy", factory: _ => new ProbeModel<int, int>(i => i))
            .Configure(o => o.LazyLoading = true).Build();

        await system.Terminate();

        foreach (var waiter in new[] { library.LoadModelAsync("lazy"), library.LoadModelAsync("lazy") }) // its actor cannot answer: dead letters
        {
            var error = await Assert.ThrowsAsync<ModelStoppedException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Contains("its actor system has terminated", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ARequestQueuedBehindACall_WhenTheActorSystemEndsUnderTheLibrary_FailsWithAShutdownError_NotAtItsDeadline()
    {
        var gate = new TaskCompletionSource();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var idleStopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Ended without CoordinatedShutdown's drain, as when its phase times out first (Akka's 5 s by default).
        var system = Akka.Actor.ActorSystem.Create("ends-with-work-queued", "akka.coordinated-shutdown.run-by-actor-system-terminate = off");
        await using var library = ModelLibrary.CreateBuilder().UseActorSystem(system)
            .AddModel("held", o => { o.Replicas = 2; o.Router = RouterKind.RoundRobin; }, _ => new HeldSync(gate.Task, entered, idleStopped))
            .Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("held");
        var first = client.PredictAsync(0).AsTask(); // replica 1, held
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = client.PredictAsync(1).AsTask(); // replica 2, answered
        Assert.Equal(1, await second);
        var queued = client.PredictAsync(2).AsTask(); // replica 1's mailbox, behind the held call

        var terminated = system.Terminate();
        await idleStopped.Task.WaitAsync(TimeSpan.FromSeconds(10)); // replica 2 has stopped: replica 1 was told to stop as well
        gate.SetResult(); // the held call returns; the replica stops before reading its mailbox again
        await terminated.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, await first);
        var error = await Assert.ThrowsAsync<ModelStoppedException>(() => queued.WaitAsync(TimeSpan.FromSeconds(10))); // its deadline is 30 s away
        Assert.Equal("held", error.ModelName);
        Assert.Equal("held", ModelErrors.GetModelName(error));
    }

    /// <summary>A sync model whose item 0 blocks its replica's thread until the gate opens; an instance disposed out of that call says so.</summary>
    private sealed class HeldSync(Task gate, TaskCompletionSource entered, TaskCompletionSource idleStopped) : Model<int, int>, IDisposable
    {
        private int _holding;

        public void Dispose()
        {
            if (Volatile.Read(ref _holding) == 0)
            {
                idleStopped.TrySetResult();
            }
        }

        protected override int Predict(int item, CancellationToken cancellationToken)
        {
            if (item == 0)
            {
                Volatile.Write(ref _holding, 1);
                entered.TrySetResult();
                gate.Wait(CancellationToken.None);
            }

            return item;
        }
    }

    [Fact]
    public async Task AModelInstanceStillLoadingWhenTheLibraryStops_IsDisposedOnceItHasLoaded()
    {
        var gate = new TaskCompletionSource();
        var model = new GatedDisposable(gate.Task);
        var library = ModelLibrary.CreateBuilder().AddModel("slow", factory: _ => model).Build();
        var call = library.Get<int, int>("slow").PredictAsync(1).AsTask();
        await model.Loading.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stopping = library.StopAsync();
        await Assert.ThrowsAsync<ModelStoppedException>(() => call).WaitAsync(TimeSpan.FromSeconds(10));
        gate.SetResult(); // the load the stop gave up finishes after it
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, await model.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await library.DisposeAsync();
    }

    [Fact]
    public async Task RequestsHeldForALoad_TimeOutOnTheirOwnDeadline_ClientsAndActorsAlike()
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var (probe, loading) = GatedLoad.Probe(gate.Task);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("slow", o => o.Timeout = TimeSpan.FromSeconds(2), _ => probe)
            .UseTimeProvider(clock)
            .Build();
        var client = library.Get<int, int>("slow").PredictAsync(1).AsTask();
        var actor = library.RouterOf("slow").Ask<ModelReply<int>>(new ModelRequest<int>([2]), TimeSpan.FromSeconds(10));
        await loading.WaitAsync(TimeSpan.FromSeconds(10));

        try
        {
            await clock.WaitForTimersAsync(2);
            clock.Advance(TimeSpan.FromSeconds(2)); // the load is still under way

            var error = await Assert.ThrowsAsync<TimeoutException>(() => client).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Contains("Model 'slow'", error.Message);
            await Assert.ThrowsAsync<TimeoutException>(() => actor).WaitAsync(TimeSpan.FromSeconds(10)); // Ask throws a Status.Failure's cause
        }
        finally
        {
            gate.TrySetResult();
        }

        Assert.Equal(3, await library.Get<int, int>("slow").PredictAsync(3).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([3], probe.Items); // the timed-out requests never reached the model
    }

    /// <summary>A sync model whose calls wait for a gate (its replica's thread is busy meanwhile).</summary>
    private sealed class StuckModel : Model<int, int>
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Released once per call entered.</summary>
        public SemaphoreSlim Entered { get; } = new(0);

        public ManualResetEventSlim Gate { get; } = new();

        protected override int Predict(int item, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            Entered.Release();
            Gate.Wait(TimeSpan.FromSeconds(30));
            return item;
        }
    }

    /// <summary>An async model whose load waits for a gate, and which counts its disposals.</summary>
    private sealed class GatedDisposable(Task gate) : AsyncModel<int, int>, IDisposable
    {
        private int _disposed;

        public TaskCompletionSource Loading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<int> Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => Disposed.TrySetResult(Interlocked.Increment(ref _disposed));

        protected override async ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
        {
            Loading.TrySetResult();
            await gate;
        }

        protected override ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken) => ValueTask.FromResult(item);
    }
}
