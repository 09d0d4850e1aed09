using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.Actors;

/// <summary>
/// The two forms of a request, for every router kind with batching off and on: a client's call (its work carries a
/// pooled reply slot the replica completes) and a <see cref="ModelRequest{TItem}"/> message (the replica's answer is
/// told to the sender as <see cref="ModelReply{TResult}"/> or <see cref="Status.Failure"/> with the model's own
/// exception); and the request message's deadline and cancellation.
/// </summary>
public sealed class RequestFormsTests : ModelActorsTestKit
{
    public static TheoryData<RouterKind, int> Kinds => new()
    {
        { RouterKind.Balancing, 0 },
        { RouterKind.Balancing, 8 },
        { RouterKind.RoundRobin, 0 },
        { RouterKind.RoundRobin, 8 },
        { RouterKind.SmallestMailbox, 0 },
        { RouterKind.SmallestMailbox, 8 },
        { RouterKind.ConsistentHashing, 0 }, // cannot batch
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task AClientCall_IsAnsweredThroughItsReplySlot_WithResultsOrTheModelsOwnException(RouterKind router, int maxBatchSize)
    {
        var library = CreateLibrary(b => b.AddModel<DoublingModel>("double", o => Configure(o, router, maxBatchSize)));
        var client = library.Get<int, int>("double");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.PredictAsync(i).AsTask()));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.PredictAsync(-3).AsTask());

        Assert.Equal(Enumerable.Range(0, 20).Select(i => 2 * i), results);
        Assert.Equal("negative item -3", error.Message);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task ARequestMessage_IsAnsweredToItsSender_WithAReplyOrAFailureCarryingTheModelsOwnException(RouterKind router, int maxBatchSize)
    {
        var library = CreateLibrary(b => b.AddModel<DoublingModel>("double", o => Configure(o, router, maxBatchSize)));
        var model = library.RouterOf("double");

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => model.Ask<ModelReply<int>>(new ModelRequest<int>([i, i + 100]), TimeSpan.FromSeconds(30))));
        var probe = CreateTestProbe();
        model.Tell(new ModelRequest<int>([1, -3]), probe.Ref);
        var failure = await probe.ExpectMsgAsync<Status.Failure>(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => new[] { 2 * i, 2 * (i + 100) }), replies.Select(r => r.Results.ToArray()));
        Assert.Equal("negative item -3", Assert.IsType<InvalidOperationException>(failure.Cause).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public async Task ARequestMessagesOwnDeadline_FailsItWithATimeout_WhileTheModelIsStillBusy(int maxBatchSize)
    {
        var model = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("held", o => Configure(o, RouterKind.Balancing, maxBatchSize), _ => new TestProbeModel<int, int>(model.Ref)));
        await library.LoadAsync();
        var sender = CreateTestProbe();

        library.RouterOf("held").Tell(new ModelRequest<int>([7]) { Timeout = TimeSpan.FromSeconds(2) }, sender.Ref);
        await model.ExpectMsgAsync<ProbeBatch<int>>();
        Advance(TimeSpan.FromSeconds(2));

        var failure = await sender.ExpectMsgAsync<Status.Failure>();
        Assert.Contains("'held' did not answer within 2000 ms", Assert.IsType<TimeoutException>(failure.Cause).Message, StringComparison.Ordinal);
        Assert.Equal("held", ModelErrors.GetModelName(failure.Cause));
        model.Reply(new List<int> { 7 }); // the late answer is dropped
        await sender.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task ToAModelWithAFallback_ARequestMessagesOwnDeadlineAndChecks_HoldAsWithout()
    {
        var model = CreateTestProbe();
        var library = CreateLibrary(b => b
            .AddModel("held", o => { o.Replicas = 1; o.Fallback = "double"; }, _ => new TestProbeModel<int, int>(model.Ref))
            .AddModel<DoublingModel>("double"));
        await library.LoadAsync();
        var sender = CreateTestProbe();
        var router = library.RouterOf("held");

        router.Tell(new ModelRequest<int>([]), sender.Ref);
        var empty = await sender.ExpectMsgAsync<ModelReply<int>>();
        router.Tell(new ModelRequest<int>([1]) { Timeout = TimeSpan.Zero }, sender.Ref);
        var refused = await sender.ExpectMsgAsync<Status.Failure>();
        router.Tell(new ModelRequest<int>([7]) { Timeout = TimeSpan.FromSeconds(2) }, sender.Ref);
        await model.ExpectMsgAsync<ProbeBatch<int>>(); // the first the model sees: the empty request never reached it
        Advance(TimeSpan.FromSeconds(2)); // the request's own deadline, not the model's 30 s

        Assert.Empty(empty.Results);
        Assert.Contains("model 'held'", Assert.IsType<ArgumentOutOfRangeException>(refused.Cause).Message, StringComparison.Ordinal);
        Assert.Equal([14], (await sender.ExpectMsgAsync<ModelReply<int>>()).Results); // the fallback answered in time
    }

    [Fact]
    public async Task ARequestMessageWhoseSenderCancelled_NeverReachesTheModel_AndIsAnsweredWithTheCancellation()
    {
        var model = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("held", o => o.Replicas = 1, _ => new TestProbeModel<int, int>(model.Ref)));
        await library.LoadAsync();
        var sender = CreateTestProbe();
        using var cancellation = new CancellationTokenSource();
        var router = library.RouterOf("held");

        router.Tell(new ModelRequest<int>([1]), sender.Ref);
        var first = await model.ExpectMsgAsync<ProbeBatch<int>>(); // holds the one replica
        router.Tell(new ModelRequest<int>([2]) { CancellationToken = cancellation.Token }, sender.Ref);
        await cancellation.CancelAsync();
        var cancelled = await sender.ExpectMsgAsync<Status.Failure>();
        model.Reply(new List<int> { 1 });

        Assert.Equal([1], first.Items);
        Assert.IsType<OperationCanceledException>(cancelled.Cause);
        Assert.Equal([1], (await sender.ExpectMsgAsync<ModelReply<int>>()).Results);
        await model.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // the cancelled request never reached the model
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task ARequestMessageWithADeadlineThatIsNotPositive_IsRefusedNamingTheModel(int seconds)
    {
        var library = CreateLibrary(b => b.AddModel<DoublingModel>("double"));
        await library.LoadAsync();
        var sender = CreateTestProbe();

        library.RouterOf("double").Tell(new ModelRequest<int>([1]) { Timeout = TimeSpan.FromSeconds(seconds) }, sender.Ref);

        var failure = await sender.ExpectMsgAsync<Status.Failure>();
        var error = Assert.IsType<ArgumentOutOfRangeException>(failure.Cause);
        Assert.Contains("model 'double'", error.Message, StringComparison.Ordinal);
        Assert.Contains("must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestMessageWithADeadlineBeyondWhatATimerTakes_IsAnswered_AndTheModelKeepsServing()
    {
        // On the real clock: .NET timers refuse due times past about 49.7 days; the deadline is reached in steps.
        await using var library = ModelLibrary.CreateBuilder().AddModel<DoublingModel>("double").Build();
        var model = library.RouterOf("double");

        var far = await model.Ask<ModelReply<int>>(new ModelRequest<int>([4]) { Timeout = TimeSpan.FromDays(60) }, TimeSpan.FromSeconds(30));
        var next = await model.Ask<ModelReply<int>>(new ModelRequest<int>([5]), TimeSpan.FromSeconds(30));

        Assert.Equal([8], far.Results);
        Assert.Equal([10], next.Results);
    }

    [Theory]
    [InlineData(RouterKind.Balancing)]
    [InlineData(RouterKind.ConsistentHashing)] // has no first item to take a key from
    public async Task ARequestMessageWithNoItems_IsAnsweredWithNoResults_AndTheModelKeepsServing(RouterKind router)
    {
        var library = CreateLibrary(b => b.AddModel<DoublingModel>("double", o => Configure(o, router, 0)));
        var model = library.RouterOf("double");

        var empty = await model.Ask<ModelReply<int>>(new ModelRequest<int>([]), TimeSpan.FromSeconds(30));
        var next = await model.Ask<ModelReply<int>>(new ModelRequest<int>([5]), TimeSpan.FromSeconds(30));

        Assert.Empty(empty.Results);
        Assert.Equal([10], next.Results);
    }

    [Fact]
    public async Task AModelWhoseActorStopped_AnswersRequestMessagesWithAShutdownError_AndTheLibraryStillStops()
    {
        var library = CreateLibrary(b => b.AddModel<DoublingModel>("double"));
        await library.LoadAsync();
        var model = library.RouterOf("double");
        var watcher = CreateTestProbe();
        watcher.Watch(model);

        Sys.Stop(model); // as a bug in it would: its supervisor stops it
        await watcher.ExpectTerminatedAsync(model);
        var sender = CreateTestProbe();
        model.Tell(new ModelRequest<int>([1]), sender.Ref);

        var failure = await sender.ExpectMsgAsync<Status.Failure>();
        Assert.Contains("'double'", Assert.IsType<ModelStoppedException>(failure.Cause).Message, StringComparison.Ordinal);
        await library.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)); // its drain does not wait for the stopped actor
    }

    private static void Configure(ModelOptions options, RouterKind router, int maxBatchSize)
    {
        options.Replicas = 2;
        options.Router = router;
        if (maxBatchSize > 0)
        {
            options.MaxBatchSize = maxBatchSize;
        }
    }

    /// <summary>Doubles its item; a negative item fails with the model's own exception.</summary>
    public sealed class DoublingModel : Model<int, int>
    {
        /// <inheritdoc />
        protected override int Predict(int item, CancellationToken cancellationToken) =>
            item >= 0 ? 2 * item : throw new InvalidOperationException($"negative item {item}");
    }
}
