using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.Actors;

/// <summary>
/// Akka's per-sender order through a model: requests told from one actor to a model with one replica are run and
/// answered in the order they were sent — for every router kind, with batching off and on, across the replica going idle
/// between bursts, and for requests that arrived while the model was loading.
/// </summary>
public sealed class PerSenderOrderTests : ModelActorsTestKit
{
    [Theory]
    [InlineData(typeof(TriplingModel), RouterKind.Balancing, 0)]
    [InlineData(typeof(AsyncTriplingModel), RouterKind.Balancing, 0)]
    [InlineData(typeof(TriplingModel), RouterKind.RoundRobin, 0)]
    [InlineData(typeof(AsyncTriplingModel), RouterKind.SmallestMailbox, 0)]
    [InlineData(typeof(TriplingModel), RouterKind.ConsistentHashing, 0)]
    [InlineData(typeof(TriplingModel), RouterKind.Balancing, 4)]
    [InlineData(typeof(AsyncTriplingModel), RouterKind.Balancing, 4)]
    public void ThousandRequestsInBursts_ToAOneReplicaModel_AreAnsweredInOrder_InEachOfAHundredRuns(Type modelType, RouterKind router, int maxBatchSize)
    {
        var library = CreateLibrary(b =>
        {
            void Configure(ModelOptions o)
            {
                o.Replicas = 1;
                o.Router = router;
                if (maxBatchSize > 0)
                {
                    o.MaxBatchSize = maxBatchSize; // MaxDelay 0: batches form from what is queued whenever the replica is free
                }
            }

            if (modelType == typeof(TriplingModel))
            {
                b.AddModel<TriplingModel>("triple", Configure);
            }
            else
            {
                b.AddModel<AsyncTriplingModel>("triple", Configure);
            }
        });
        var model = library.RouterOf("triple");
        var probe = CreateTestProbe();
        var random = new Random(20261206);
        var failures = new List<string>();
        for (var run = 0; run < 100; run++)
        {
            var received = new List<int>();
            var sent = 0;
            while (sent < 1000)
            {
                // A burst, then its answers: between bursts the replica finds no work and goes idle.
                var burst = Math.Min(1000 - sent, random.Next(1, 9));
                for (var i = 0; i < burst; i++)
                {
                    model.Tell(new ModelRequest<int>([sent + i]), probe.Ref);
                }

                for (var i = 0; i < burst; i++)
                {
                    received.Add(probe.ExpectMsg<ModelReply<int>>(TimeSpan.FromSeconds(10)).Results[0] / 3);
                }

                sent += burst;
            }

            if (!received.SequenceEqual(Enumerable.Range(0, 1000)))
            {
                failures.Add($"run {run}: {string.Join(", ", received.Select((r, i) => (r, i)).Where(p => p.r != p.i).Take(5).Select(p => $"#{p.i} got {p.r}"))}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of 100 runs out of order: {string.Join("; ", failures.Take(5))}");
    }

    [Fact]
    public void RequestsToldWhileTheModelLoads_AreAnsweredInOrder()
    {
        var gate = new ManualResetEventSlim();
        var library = CreateLibrary(b => b.AddModel("slow-load", o => o.Replicas = 1, _ => new GatedLoadModel(gate)));
        var model = library.RouterOf("slow-load");
        var probe = CreateTestProbe();

        for (var i = 0; i < 50; i++)
        {
            model.Tell(new ModelRequest<int>([i]), probe.Ref);
        }

        gate.Set();
        var received = Enumerable.Range(0, 50).Select(_ => probe.ExpectMsg<ModelReply<int>>(TimeSpan.FromSeconds(30)).Results[0] / 3).ToList();

        Assert.Equal(Enumerable.Range(0, 50), received);
    }

    [Fact]
    public void RequestsToldToAModelThatFailsToLoad_AreEachAnsweredWithTheLoadError()
    {
        var library = CreateLibrary(b => b.AddModel("broken", o => { o.Replicas = 1; o.LoadRetries = 0; }, _ => new GatedLoadModel(null)));
        var model = library.RouterOf("broken");
        var probe = CreateTestProbe();

        model.Tell(new ModelRequest<int>([1]), probe.Ref);
        model.Tell(new ModelRequest<int>([2]), probe.Ref);

        var first = probe.ExpectMsg<Status.Failure>(TimeSpan.FromSeconds(30));
        var second = probe.ExpectMsg<Status.Failure>(TimeSpan.FromSeconds(30));
        Assert.All([first, second], f => Assert.IsType<ModelLoadException>(f.Cause));
        Assert.Contains("no weights here", first.Cause.InnerException!.Message, StringComparison.Ordinal);
    }

    /// <summary>Triples its item, on its replica's own thread.</summary>
    public sealed class TriplingModel : Model<int, int>
    {
        /// <inheritdoc />
        protected override int Predict(int item, CancellationToken cancellationToken) => 3 * item;
    }

    /// <summary>Triples its item after yielding, so each call completes on another thread than it started on.</summary>
    public sealed class AsyncTriplingModel : AsyncModel<int, int>
    {
        /// <inheritdoc />
        protected override async ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return 3 * item;
        }
    }

    /// <summary>Triples its item; its load waits for a gate (or fails without one).</summary>
    public sealed class GatedLoadModel(ManualResetEventSlim? gate) : Model<int, int>
    {
        /// <inheritdoc />
        protected override void Load(ModelContext context)
        {
            if (gate is null)
            {
                throw new FileNotFoundException("no weights here");
            }

            gate.Wait(TimeSpan.FromMinutes(1)); // on the replica's own thread, until the test opens it
        }

        /// <inheritdoc />
        protected override int Predict(int item, CancellationToken cancellationToken) => 3 * item;
    }
}
