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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AnAsyncModelStillInACall_AtTheDrainDeadline_IsDisposedOnlyAfterTheCallReturns(int replicas)
    {
        var clock = new ManualTimeProvider();
        var tracker = new HeldCalls(replicas);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("held", o => o.Replicas = replicas, _ => new HeldDisposable(tracker))
            .Configure(o => o.DrainTimeout = TimeSpan.FromSeconds(5))
            .UseTimeProvider(clock)
            .Build();
        await library.LoadAsync();
        var replicaActors = await ReplicaActorsAsync(library, replicas); // found while idle (one in a call reads no message)
        var call = library.Get<int, int>("held").PredictAsync(7).AsTask();
        await tracker.Called.Task.WaitAsync(TimeSpan.FromSeconds(30));
        bool disposedEarly;
        try
        {
            var stopping = library.StopAsync();
            await clock.WaitForTimersAsync(2); // the request's deadline and the drain deadline
            clock.Advance(TimeSpan.FromSeconds(5));
            await stopping.WaitAsync(TimeSpan.FromSeconds(30)); // the stop does not wait for the call
            // Akka stops a replica actor whose RunTask still waits for the call: each one has stopped before the call returns.
            await Task.WhenAll(replicaActors.Select(r => r.WatchAsync())).WaitAsync(TimeSpan.FromSeconds(30));
            disposedEarly = tracker.AllDisposed.Task.IsCompleted;
        }
        finally
        {
            tracker.Release.TrySetResult(); // a failed assertion must not leave the library's dispose waiting for the call
        }

        Assert.False(disposedEarly); // the instance in its call is not disposed under it
        Assert.Equal(7, await call);
        await tracker.AllDisposed.Task.WaitAsync(TimeSpan.FromSeconds(30)); // then it is
        Assert.Equal(0, tracker.DisposedInTheirCall);
    }

    /// <summary>The replica actors of the library's one model (its router's routees), each answering an Identify sent by path.</summary>
    private static async Task<IActorRef[]> ReplicaActorsAsync(ModelLibrary library, int replicas)
    {
        var inbox = Inbox.Create(library.ActorSystem);
        library.ActorSystem.ActorSelection(library.LibraryActor.Path / "held" / "*" / "*").Tell(new Identify(null), inbox.Receiver);
        var found = new IActorRef[replicas];
        for (var i = 0; i < replicas; i++)
        {
            var identity = Assert.IsType<ActorIdentity>(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));
            found[i] = identity.Subject ?? throw new InvalidOperationException("a replica actor was gone before the stop");
        }

        return found;
    }

    /// <summary>What the <see cref="HeldDisposable"/> instances of one model saw.</summary>
    private sealed class HeldCalls(int instances)
    {
        private int _disposed;
        private int _disposedInTheirCall;

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource AllDisposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int DisposedInTheirCall => Volatile.Read(ref _disposedInTheirCall);

        public void Disposing(bool inCall)
        {
            if (inCall)
            {
                Interlocked.Increment(ref _disposedInTheirCall);
            }

            if (Interlocked.Increment(ref _disposed) == instances)
            {
                AllDisposed.TrySetResult();
            }
        }
    }

    /// <summary>An async model whose call waits for its tracker's release; its disposal says whether its call was running.</summary>
    private sealed class HeldDisposable(HeldCalls tracker) : AsyncModel<int, int>, IAsyncDisposable
    {
        private int _inCall;

        public ValueTask DisposeAsync()
        {
            tracker.Disposing(Volatile.Read(ref _inCall) == 1);
            return ValueTask.CompletedTask;
        }

        protected override async ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken)
        {
            Volatile.Write(ref _inCall, 1);
            tracker.Called.TrySetResult();
            await tracker.Release.Task.ConfigureAwait(false);
            Volatile.Write(ref _inCall, 0);
            return item;
        }
    }
}
