using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.Actors;

/// <summary>The actor tree, dispatchers and the request/reply messages actors use to call models.</summary>
public sealed class ActorTreeTests : ModelActorsTestKit
{
    [Fact]
    public async Task EveryModelIsAnActorUnderTheLibraryActor()
    {
        var library = CreateLibrary(b => b.AddModel<UpperModel>().AddModel<LengthModel>());

        Assert.Equal("akka://ModelActorsTestKit/user/model-actors", library.LibraryActor.Path.ToString());
        Assert.Equal("akka://ModelActorsTestKit/user/model-actors/upper", library.RouterOf("upper").Path.ToString());
        var identity = await Sys.ActorSelection("/user/model-actors/length").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(5));
        Assert.Equal(library.RouterOf("length"), identity.Subject);
    }

    [Fact]
    public async Task TheLibraryActor_DescribesItsModels_WhenAskedByMessage()
    {
        var library = CreateLibrary(b => b.AddModel<UpperModel>().AddModel<LengthModel>());
        await library.Get<string, string>("upper").PredictAsync("x");

        var descriptions = await library.LibraryActor.Ask<IReadOnlyList<ModelDescription>>(DescribeModels.Instance, TimeSpan.FromSeconds(5));

        Assert.Equal(["length", "upper"], descriptions.Select(d => d.Name));
        Assert.Equal(ModelState.Ready, descriptions.Single(d => d.Name == "upper").State);
        Assert.Equal(library.Describe("length").State, descriptions.Single(d => d.Name == "length").State);
    }

    [Fact]
    public async Task AnActor_AsksAModelWithAModelRequest_AndGetsAModelReply()
    {
        var library = CreateLibrary(b => b.AddModel<UpperModel>());

        var reply = await library.RouterOf("upper").Ask<ModelReply<string>>(new ModelRequest<string>(["a", "b"]), TimeSpan.FromSeconds(5));

        Assert.Equal(["A", "B"], reply.Results);
    }

    [Fact]
    public async Task AModelFailure_ReachesTheAskingActor_AsStatusFailureWithTheModelsOwnException()
    {
        var library = CreateLibrary(b => b.AddModel("picky", factory: _ => ProbeModel<int, int>.Failing(_ => new FormatException("bad item"))));

        var error = await Assert.ThrowsAsync<FormatException>(() =>
            library.RouterOf("picky").Ask<ModelReply<int>>(new ModelRequest<int>([1]), TimeSpan.FromSeconds(5)));

        Assert.Equal("picky", ModelErrors.GetModelName(error));
    }

    [Fact]
    public async Task ARequestOfAnotherItemType_IsAnsweredWithStatusFailure_NamingBothTypes_NotLeftToTheAsksTimeout()
    {
        var library = CreateLibrary(b => b.AddModel<UpperModel>());

        var error = await Assert.ThrowsAsync<ModelTypeMismatchException>(() =>
            library.RouterOf("upper").Ask<ModelReply<string>>(new ModelRequest<int>([1]), TimeSpan.FromSeconds(30)));

        Assert.Equal("Model 'upper' takes ModelRequest<String> (answered with ModelReply<String>), not ModelRequest<Int32>.", error.Message);
        Assert.Equal("upper", ModelErrors.GetModelName(error));
    }

    [Fact]
    public async Task ATestProbe_TellsAModelRequest_AndReceivesTheReply()
    {
        var library = CreateLibrary(b => b.AddModel<UpperModel>());
        var probe = CreateTestProbe();

        library.RouterOf("upper").Tell(new ModelRequest<string>(["x"]), probe.Ref);

        Assert.Equal(["X"], (await probe.ExpectMsgAsync<ModelReply<string>>()).Results);
    }

    [Fact]
    public async Task SyncReplicas_RunOnDedicatedThreads_AsyncReplicasOnTheAsyncDispatcher()
    {
        var library = CreateLibrary(b => b.AddModel<ThreadReporter>("sync", o => o.Replicas = 2).AddModel<AsyncThreadReporter>("async"));
        var sync = library.Get<int, string>("sync");

        var syncThreads = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => sync.PredictAsync(i).AsTask()));
        var asyncThread = await library.Get<int, string>("async").PredictAsync(0);

        Assert.All(syncThreads, t => Assert.StartsWith("pool=False", t));
        Assert.All(syncThreads, t => Assert.Contains("model-actors.pinned-dispatcher", t));
        // The .NET pool, or the async dispatcher's own threads while sync-gateway callers (other tests of this process)
        // block pool threads: never a replica's dedicated thread.
        Assert.True(asyncThread.StartsWith("pool=True", StringComparison.Ordinal) || asyncThread.Contains("async-dispatcher", StringComparison.Ordinal), asyncThread);
        Assert.DoesNotContain("pinned-dispatcher", asyncThread);
    }

    [Fact]
    public async Task ABlockedSyncReplica_LeavesTheThreadPoolFree()
    {
        var gate = new ManualResetEventSlim();
        var library = CreateLibrary(b => b.AddModel("blocking", o => o.Replicas = 4, _ => new BlockingModel(gate)));
        var client = library.Get<int, int>("blocking");
        await library.LoadAsync();

        var blocked = Enumerable.Range(0, 4).Select(i => client.PredictAsync(i).AsTask()).ToList();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => BlockingModel.Entered.WaitAsync(TimeSpan.FromSeconds(10))));

        // Every replica is blocked, yet work queued to the thread pool still runs.
        var poolWork = await Task.Run(() => Thread.CurrentThread.IsThreadPoolThread).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(poolWork);
        Assert.All(blocked, t => Assert.False(t.IsCompleted));

        gate.Set();
        Assert.Equal(new[] { 0, 1, 2, 3 }, await Task.WhenAll(blocked));
    }

    public sealed class ThreadReporter : Model<int, string>
    {
        protected override string Predict(int item, CancellationToken cancellationToken) =>
            $"pool={Thread.CurrentThread.IsThreadPoolThread} {Thread.CurrentThread.Name}";
    }

    public sealed class AsyncThreadReporter : AsyncModel<int, string>
    {
        protected override ValueTask<string> PredictAsync(int item, CancellationToken cancellationToken) =>
            ValueTask.FromResult($"pool={Thread.CurrentThread.IsThreadPoolThread} {Thread.CurrentThread.Name}");
    }

    public sealed class BlockingModel(ManualResetEventSlim gate) : Model<int, int>
    {
        public static SemaphoreSlim Entered { get; } = new(0);

        protected override int Predict(int item, CancellationToken cancellationToken)
        {
            Entered.Release();
            gate.Wait(cancellationToken);
            return item;
        }
    }
}
