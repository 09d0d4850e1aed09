using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.TestKit;

/// <summary>Tests as a user of ModelActors.TestKit writes them (the README's example is the first one).</summary>
public sealed class WrittenAsAUserTests : ModelActorsTestKit
{
    [Fact]
    public async Task AHeldCall_TimesOut_OnVirtualTime()
    {
        var probe = CreateTestProbe();
        var library = CreateLibrary(b => b.AddModel("m", o => o.Timeout = TimeSpan.FromSeconds(5),
            _ => new TestProbeModel<int, int>(probe.Ref)));
        var call = library.Get<int, int>("m").PredictAsync(1).AsTask();
        await probe.ExpectMsgAsync<ProbeBatch<int>>();
        Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<TimeoutException>(() => call);
    }

    [Fact]
    public async Task MyComposedModel_CallsItsDependency_WhoseAnswerTheTestScripts()
    {
        var inner = CreateTestProbe();
        var library = CreateLibrary(b => b
            .AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inner=inner"))
            .AddModel("inner", factory: _ => new TestProbeModel<string, string>(inner.Ref)));

        var call = library.Get<string, string>("outer").PredictAsync("hi").AsTask();
        var batch = await inner.ExpectMsgAsync<ProbeBatch<string>>();
        Assert.Equal(["hi"], batch.Items);
        inner.Reply(new List<string> { "HI" });

        Assert.Equal("async(HI)", await call);
    }

    [Fact]
    public async Task MyActor_AsksAModel_AndForwardsItsAnswer()
    {
        var library = CreateLibrary(b => b.AddModel<UpperModel>());
        await library.LoadAsync();
        var shouter = Sys.ActorOf(Props.Create(() => new Shouter(library.RouterOf("upper"))));

        shouter.Tell("quiet please");

        await ExpectMsgAsync("QUIET PLEASE!");
    }

    [Fact]
    public async Task MyActor_PipesAModelsFailure_ToItsAsker_AsStatusFailureWithTheModelsException()
    {
        var library = CreateLibrary(b => b.AddModel("sentiment", factory: _ => ProbeModel<string, float>.Failing(_ => new FormatException("not a review"))));
        await library.LoadAsync();
        var reviewer = Sys.ActorOf(Props.Create(() => new Reviewer(library.RouterOf("sentiment"))));

        var error = await Assert.ThrowsAsync<FormatException>(() => reviewer.Ask<float>("??", TimeSpan.FromSeconds(30)));

        Assert.Equal("not a review", error.Message);
    }

    /// <summary>The README's <c>Reviewer</c>: asks the sentiment model and pipes its answer, or its failure, to whoever asked.</summary>
    private sealed class Reviewer : ReceiveActor
    {
        public Reviewer(IActorRef sentiment) => Receive<string>(text =>
            sentiment.Ask<ModelReply<float>>(new ModelRequest<string>([text]), TimeSpan.FromSeconds(5))
                .PipeTo(Sender, success: reply => reply.Results[0])); // a failure goes on as Status.Failure with the model's exception
    }

    /// <summary>A user's actor that asks the upper-casing model and adds an exclamation mark.</summary>
    private sealed class Shouter : ReceiveActor
    {
        public Shouter(IActorRef upper) => ReceiveAsync<string>(async text =>
        {
            var reply = await upper.Ask<ModelReply<string>>(new ModelRequest<string>([text]), TimeSpan.FromSeconds(10));
            Sender.Tell(reply.Results[0] + "!");
        });
    }
}
