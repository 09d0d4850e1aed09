using System.Collections.Concurrent;
using Akka.Actor;

namespace ModelActors.Tests.Cluster;

/// <summary>Nodes that leave, crash or join while a front end calls a model they host (each test forms its own cluster).</summary>
[Collection(Packaging.DotnetBuilds.Name)]
public sealed class ClusterFailoverTests
{
    [Theory]
    [InlineData(true)] // CoordinatedShutdown: a host stop of an Akka.Hosting app
    [InlineData(false)] // the library's own stop (AddModelActors' hosted service, DisposeAsync): it leaves first too
    public async Task A_node_that_leaves_under_load_drains_and_nothing_is_lost(bool coordinatedShutdown)
    {
        await using var b = ClusterNode.Start(["work"], ClusterNode.Tagged("b"));
        await using var c = ClusterNode.Start(["work"], ClusterNode.Tagged("c"));
        await using var front = ClusterNode.Start([], ClusterNode.Tagged("front"));
        await FormAsync(b, c, front);

        var client = front.Library.Get<string, string>("work");
        var failures = new ConcurrentQueue<Exception>();
        var answers = new ConcurrentDictionary<string, int>();
        var bothAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var enoughAfter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var left = 0;
        var answeredAfter = 0;
        using var stop = new CancellationTokenSource();

        async Task LoopAsync(int worker)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var answer = await client.PredictAsync($"{worker}-{i}");
                    Assert.EndsWith($":{worker}-{i}", answer, StringComparison.Ordinal);
                    answers.AddOrUpdate(answer.Split(':')[0], 1, (_, n) => n + 1);
                    if (answers.Count == 2)
                    {
                        bothAnswered.TrySetResult();
                    }

                    if (Volatile.Read(ref left) == 1 && Interlocked.Increment(ref answeredAfter) >= 200)
                    {
                        enoughAfter.TrySetResult();
                    }
                }
                catch (Exception error)
                {
                    failures.Enqueue(error);
                }
            }
        }

        var loops = Enumerable.Range(0, 8).Select(w => Task.Run(() => LoopAsync(w))).ToArray();
        await bothAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await (coordinatedShutdown ? CoordinatedShutdown.Get(b.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance) : b.Library.StopAsync()).WaitAsync(TimeSpan.FromSeconds(60));
        Volatile.Write(ref left, 1);
        await enoughAfter.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        Assert.Empty(failures);
        Assert.True(answers["b"] > 0 && answers["c"] > 200, $"b: {answers["b"]}, c: {answers["c"]}");
    }

    [Fact]
    public async Task A_request_in_flight_on_a_node_that_crashes_fails_at_once_not_at_its_deadline()
    {
        var gate = new Gate();
        await using var b = ClusterNode.Start(["gate"], Gated("b", gate));
        await using var front = ClusterNode.Start([], Gated("front", gate));
        await FormAsync(b, front);
        try
        {
            var call = front.Library.Get<string, string>("gate").PredictAsync("x").AsTask();
            Assert.Equal("b", await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30)));

            b.Crash();

            // The model's deadline is 120 s; the failure detector finds the node unreachable within seconds.
            var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("gate", error.ModelName);
            Assert.Contains("may or may not have run", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            gate.Release.TrySetResult();
        }
    }

    [Fact]
    public async Task A_request_to_an_idempotent_model_on_a_node_that_crashes_runs_once_more_on_another_node()
    {
        var gate = new Gate();
        await using var b = ClusterNode.Start(["gate"], Gated("b", gate), idempotent: ["gate"]);
        await using var c = ClusterNode.Start(["gate"], Gated("c", gate), idempotent: ["gate"]);
        await using var front = ClusterNode.Start([], Gated("front", gate), idempotent: ["gate"]);
        await FormAsync(b, c, front);
        await front.Library.LoadModelAsync("gate");
        try
        {
            var call = front.Library.Get<string, string>("gate").PredictAsync("x").AsTask();
            var crashed = await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

            (crashed == "b" ? b : c).Crash();

            var answer = await call.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(crashed == "b" ? "c:x" : "b:x", answer);
        }
        finally
        {
            gate.Release.TrySetResult();
        }
    }

    [Fact]
    public async Task A_node_that_joins_starts_receiving_requests_without_restarting_the_others()
    {
        await using var b = ClusterNode.Start(["work"], ClusterNode.Tagged("b"));
        await using var front = ClusterNode.Start([], ClusterNode.Tagged("front"));
        await FormAsync(b, front);
        var client = front.Library.Get<string, string>("work");
        Assert.StartsWith("b:", await client.PredictAsync("before"), StringComparison.Ordinal);

        await using var d = ClusterNode.Start(["work"], ClusterNode.Tagged("d"));
        d.Join(b);
        await front.WhenUpAsync(3);

        var nodes = new HashSet<string>();
        for (var i = 0; i < 2000 && !nodes.Contains("d"); i++)
        {
            nodes.Add((await client.PredictAsync($"r{i}")).Split(':')[0]);
        }

        Assert.Contains("d", nodes);
    }

    private static async Task FormAsync(ClusterNode seed, params ClusterNode[] others)
    {
        seed.Join(seed);
        foreach (var node in others)
        {
            node.Join(seed);
        }

        await others[^1].WhenUpAsync(others.Length + 1);
    }


    private static Action<ModelLibraryBuilder> Gated(string node, Gate gate) =>
        models => models.AddModel("gate", o => o.Timeout = TimeSpan.FromSeconds(120), factory: _ => new GateModel(node, gate));
}
