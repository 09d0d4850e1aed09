using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.Actors;

/// <summary>Akka supervision of models: load backoff on the test scheduler, Resume on prediction failures.</summary>
public sealed class SupervisionTests : ModelActorsTestKit
{
    [Fact]
    public async Task ALoadFailure_IsRetriedWithBackoff_ThenTheModelIsFailed_WhileOthersKeepServing()
    {
        var broken = new ProbeModel<string, string>(s => s) { OnLoad = _ => throw new IOException("corrupt weights") };
        var healthy = new ProbeModel<string, string>(s => s + "?");
        var library = CreateLibrary(b => b
            .AddModel("broken", factory: _ => broken)
            .AddModel("healthy", factory: _ => healthy)
            .Configure(o => { o.LoadRetries = 2; o.LoadMinBackoff = TimeSpan.FromSeconds(1); o.LazyLoading = true; }));

        Task<string> loading = null!;
        await EventFilter.Warning(contains: "(attempt 1 of 3): corrupt weights; retrying in 1000 ms").ExpectOneAsync(() =>
        {
            loading = library.Get<string, string>("broken").PredictAsync("x").AsTask();
            return Task.CompletedTask;
        });
        Assert.Equal(ModelState.Loading, library.Describe("broken").State);
        Assert.Equal("corrupt weights", library.Describe("broken").Error);

        Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, broken.Loads); // the retry waits for the whole backoff
        await EventFilter.Warning(contains: "(attempt 2 of 3): corrupt weights; retrying in 2000 ms").ExpectOneAsync(() =>
        {
            Advance(TimeSpan.FromMilliseconds(1));
            return Task.CompletedTask;
        });
        await EventFilter.Error(contains: "failed to load after 3 attempt(s)").ExpectOneAsync(() =>
        {
            Advance(TimeSpan.FromSeconds(2));
            return Task.CompletedTask;
        });

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => loading);
        Assert.Equal(3, error.Attempts);
        Assert.IsType<IOException>(error.InnerException);
        Assert.Equal(3, broken.Loads);
        Assert.Equal(ModelState.Failed, library.Describe("broken").State);
        Assert.Equal("ok?", await library.Get<string, string>("healthy").PredictAsync("ok"));
    }

    [Theory]
    [InlineData(typeof(ModelRegistrationException))]
    [InlineData(typeof(ModelDependencyException))] // a dependency asked for under a key the configuration does not declare
    public async Task ALoadFailingOnItsConfiguration_IsNotRetried_TheModelIsFailedAtOnce(Type errorType)
    {
        var misconfigured = new ProbeModel<string, string>(s => s)
        {
            OnLoad = context =>
            {
                if (errorType == typeof(ModelRegistrationException))
                {
                    throw new ModelRegistrationException(["Model 'misconfigured': no weights file given."]);
                }

                _ = context.Dependency<string, string>("undeclared"); // not declared: ModelDependencyException
                return ValueTask.CompletedTask;
            },
        };
        var library = CreateLibrary(b => b
            .AddModel("misconfigured", factory: _ => misconfigured)
            .Configure(o => { o.LoadRetries = 3; o.LoadMinBackoff = TimeSpan.FromSeconds(1); o.LazyLoading = true; }));

        Task<string> loading = null!;
        await EventFilter.Error(contains: "failed to load after 1 attempt(s); giving up (its configuration is wrong: not retried)").ExpectOneAsync(() =>
        {
            loading = library.Get<string, string>("misconfigured").PredictAsync("x").AsTask();
            return Task.CompletedTask;
        });

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => loading); // no backoff waited: the test clock never moved
        Assert.Equal(1, error.Attempts);
        Assert.IsType(errorType, error.InnerException);
        Assert.Equal(1, misconfigured.Loads);
        Assert.Equal(ModelState.Failed, library.Describe("misconfigured").State);
    }

    [Fact]
    public async Task AFailedLazyLoad_IsTriedAgainOnTheNextRequest()
    {
        var attempts = 0;
        var flaky = new ProbeModel<string, string>(s => s)
        {
            OnLoad = _ => Interlocked.Increment(ref attempts) == 1 ? throw new IOException("not yet") : ValueTask.CompletedTask,
        };
        var library = CreateLibrary(b => b
            .AddModel("flaky", factory: _ => flaky)
            .Configure(o => { o.LoadRetries = 0; o.LazyLoading = true; }));
        var client = library.Get<string, string>("flaky");

        await Assert.ThrowsAsync<ModelLoadException>(() => client.PredictAsync("a").AsTask());

        Assert.Equal("b", await client.PredictAsync("b"));
        Assert.Equal(ModelState.Ready, library.Describe("flaky").State);
    }

    [Fact]
    public void AReplicaThatCouldNotBeMade_OrWasKilled_Stops_AnythingElseResumes()
    {
        var decider = ((OneForOneStrategy)ModelActors.Actors.ReplicaSupervision.Strategy).Decider;
        var self = ActorRefs.Nobody;

        // Resume of an actor whose constructor threw is turned by Akka into making it again: it would fail forever.
        Assert.Equal(Directive.Stop, decider.Decide(new ActorInitializationException(self, "constructor threw", new InvalidOperationException())));
        Assert.Equal(Directive.Stop, decider.Decide(new ActorKilledException("killed")));
        Assert.Equal(Directive.Stop, decider.Decide(new DeathPactException(self)));
        Assert.Equal(Directive.Resume, decider.Decide(new InvalidOperationException("a bug in a message handler")));
    }

    [Fact]
    public async Task APredictionFailure_GoesToItsCaller_AndTheReplicaGoesOnWithTheSameInstance()
    {
        var probe = new ProbeModel<int, int>(i => i == 0 ? throw new ArgumentException("zero is not allowed") : i * 10);
        var library = CreateLibrary(b => b.AddModel("tens", factory: _ => probe));
        await library.LoadAsync();
        var client = library.Get<int, int>("tens");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.PredictAsync(0).AsTask());

        Assert.Equal("tens", ModelErrors.GetModelName(error));
        Assert.Equal(10, await client.PredictAsync(1));
        Assert.Equal(1, probe.Loads); // resumed, not restarted: no second load
    }

    [Fact]
    public async Task ADeadlineOnTheVirtualClock_FailsTheCaller_AndTheReplicaSkipsWorkWhoseCallerHasGone()
    {
        var probe = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("held", o => o.Timeout = TimeSpan.FromSeconds(5), _ => new TestProbeModel<int, int>(probe.Ref)));
        await library.LoadAsync();
        var client = library.Get<int, int>("held");

        var first = client.PredictAsync(1).AsTask();
        var held = await probe.ExpectMsgAsync<ProbeBatch<int>>();
        var second = client.PredictAsync(2).AsTask(); // queued behind the held call
        Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<TimeoutException>(() => first);
        await Assert.ThrowsAsync<TimeoutException>(() => second);

        Assert.Equal([1], held.Items);
        probe.Reply(new List<int> { 10 }); // the held call returns (to nobody)
        var third = client.PredictAsync(3).AsTask();

        // The model's next call is the third request: the timed-out second never reached it.
        Assert.Equal([3], (await probe.ExpectMsgAsync<ProbeBatch<int>>()).Items);
        probe.Reply(new List<int> { 30 });
        Assert.Equal(30, await third);
    }
}
