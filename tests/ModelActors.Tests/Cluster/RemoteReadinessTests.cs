using Akka.Actor;
using Akka.Routing;
using ModelActors.Remote;

namespace ModelActors.Tests.Cluster;

/// <summary>
/// What a node that does not host a model says of it while the nodes that host it come and go: ready only while one of
/// them is there to answer (a placement of the test's own stands in for the cluster, so each change is one message).
/// </summary>
public sealed class RemoteReadinessTests
{
    [Fact]
    public async Task A_model_whose_every_host_has_gone_is_not_described_ready_until_one_is_back()
    {
        var placement = new FakePlacement();
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("remote", factory: _ => new ElsewhereModel())
            .Configure(o => o.Placement = placement)
            .Build();
        var client = library.Get<int, int>("remote");

        Assert.Equal(8, await client.PredictAsync(4).AsTask().WaitAsync(TimeSpan.FromSeconds(30))); // opens the door: a host answered
        Assert.Equal(ModelState.Ready, library.Describe("remote").State);

        // Its last host goes: the door hears it before the next request, which the (fake) router refuses.
        await placement.Nodes.Ask<int>(new SetNodes(0), TimeSpan.FromSeconds(30));
        var refused = await Assert.ThrowsAsync<ModelUnavailableException>(() => client.PredictAsync(5).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("remote", refused.ModelName);
        Assert.Equal(ModelState.Loading, library.Describe("remote").State);

        await placement.Nodes.Ask<int>(new SetNodes(1), TimeSpan.FromSeconds(30));
        Assert.Equal(12, await client.PredictAsync(6).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ModelState.Ready, library.Describe("remote").State);
    }

    /// <summary>The model's class (never loaded here: the placement hosts it elsewhere).</summary>
    private sealed class ElsewhereModel : Model<int, int>
    {
        protected override int Predict(int item, CancellationToken cancellationToken) => throw new InvalidOperationException("the model runs on another node");
    }

    /// <summary>Tells the fake router how many nodes it reaches; it answers with that count once its door has been told.</summary>
    private sealed record SetNodes(int Count);

    /// <summary>Hosts nothing here; the model's router is a <see cref="FakeNodes"/>.</summary>
    private sealed class FakePlacement : IModelPlacement
    {
        public IActorRef Nodes { get; private set; } = ActorRefs.Nobody;

        public bool HostsReplicas(string model) => false;

        public IActorRef CreateRemoteRouter(string model, string modelActorPath, IActorContext context) =>
            Nodes = context.ActorOf(Props.Create(() => new FakeNodes()), "nodes");

        public bool SpreadsRequests(string model) => false;

        public Task BeforeDrainAsync(ActorSystem system) => Task.CompletedTask;

        public IReadOnlyList<string> NodesHosting(string model, ActorSystem system) => [];
    }

    /// <summary>
    /// A router over nodes that are not there: one node answers (doubling the item) while the count is 1; with none, a
    /// request is refused as the cluster router refuses it. A count change is told to the door, as the cluster router does.
    /// </summary>
    private sealed class FakeNodes : ReceiveActor
    {
        private int _count = 1;

        public FakeNodes()
        {
            Receive<GetRoutees>(_ => Sender.Tell(new Routees(_count == 0 ? [] : [new ActorRefRoutee(Self)])));
            Receive<SignatureQuery>(_ => Sender.Tell(new SignatureAnswer(true, null, null)));
            Receive<ModelRequest<int>>(request => Sender.Tell(_count == 0
                ? new Status.Failure(new ModelUnavailableException("remote", "no node that hosts it is reachable."))
                : new ModelReply<int>([.. request.Items.Select(i => i * 2)])));
            Receive<SetNodes>(set =>
            {
                _count = set.Count;
                Context.Parent.Tell(new RemoteNodesChanged(set.Count));
                Sender.Tell(set.Count);
            });
        }
    }
}
