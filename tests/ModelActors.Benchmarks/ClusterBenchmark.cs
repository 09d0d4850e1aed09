using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using ModelActors.Cluster;
using ModelActors.Onnx;

namespace ModelActors.Benchmarks;

/// <summary>
/// What crossing nodes costs (issue 21): the no-op and the MLP model called on the node that hosts them (one process, as
/// without a cluster) against the same calls from a front-end node through the cluster, first with one model node, then
/// with two; actor systems on loopback in this process, in one run. Also the bytes a batch-1 MLP request and its reply
/// take serialized. Arguments: seconds per row (default 5), callers (default "1,32").
/// </summary>
public static class ClusterBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        int[] callers = args.Length > 1 ? [.. args[1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))] : [1, 32];
        var path = Path.Combine(Path.GetTempPath(), "modelactors-mlp-256-512-512-10.onnx");
        File.WriteAllBytes(path, OnnxThroughputBenchmark.BuildMlp());

        var m1 = Node("m1", ["noop", "mlp"], path);
        var front = Node("front", [], path);
        Join(m1, m1);
        Join(front, m1);
        await front.Library.LoadModelAsync("noop");
        await front.Library.LoadModelAsync("mlp");
        await m1.Library.LoadAsync();

        var item = new OnnxTensors { ["x"] = OnnxTensor.Create(Enumerable.Range(0, 256).Select(i => i / 256f).ToArray(), 1, 256) };
        var reply = await m1.Library.Get<OnnxTensors, OnnxTensors>("mlp").PredictAsync(item);
        var serialization = front.System.Serialization;
        var requestBytes = serialization.Serialize(new ModelRequest<OnnxTensors>([item]) { Timeout = TimeSpan.FromSeconds(30) }).Length;
        var replyBytes = serialization.Serialize(new ModelReply<OnnxTensors>([reply])).Length;
        var noopBytes = serialization.Serialize(new ModelRequest<int>([42]) { Timeout = TimeSpan.FromSeconds(30) }).Length;
        Console.WriteLine($"# {Environment.ProcessorCount} cores; actor systems on loopback in one process; {seconds} s per row after 1 s warm-up; closed loop per caller");
        Console.WriteLine($"# serialized (ModelActors' serializer, without Akka's envelope): MLP batch-1 request {requestBytes} B (256 floats = 1024 B), reply {replyBytes} B; no-op request {noopBytes} B");
        Console.WriteLine("| model | callers | where | req/s | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");

        foreach (var c in callers)
        {
            await Row("noop", c, "on its node", () => m1.Library.Get<int, int>("noop").PredictAsync(1).AsTask(), seconds);
            await Row("noop", c, "front → 1 node", () => front.Library.Get<int, int>("noop").PredictAsync(1).AsTask(), seconds);
            await Row("mlp", c, "on its node", () => m1.Library.Get<OnnxTensors, OnnxTensors>("mlp").PredictAsync(item).AsTask(), seconds);
            await Row("mlp", c, "front → 1 node", () => front.Library.Get<OnnxTensors, OnnxTensors>("mlp").PredictAsync(item).AsTask(), seconds);
        }

        var m2 = Node("m2", ["noop", "mlp"], path);
        Join(m2, m1);
        await m2.Library.LoadAsync();
        await UntilAnsweredByAsync(front, "m2");
        foreach (var c in callers)
        {
            await Row("noop", c, "front → 2 nodes", () => front.Library.Get<int, int>("noop").PredictAsync(1).AsTask(), seconds);
            await Row("mlp", c, "front → 2 nodes", () => front.Library.Get<OnnxTensors, OnnxTensors>("mlp").PredictAsync(item).AsTask(), seconds);
        }

        foreach (var node in new[] { front, m2, m1 })
        {
            await node.Library.DisposeAsync();
            await node.System.Terminate();
        }
    }

    private static async Task Row(string model, int callers, string where, Func<Task> call, double seconds)
    {
        await LoadAsync(call, callers, TimeSpan.FromSeconds(1));
        var (count, took, latencies) = await LoadAsync(call, callers, TimeSpan.FromSeconds(seconds));
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {model} | {callers} | {where} | {count / took:N0} | {P(0.5):F2} | {P(0.99):F2} |"));
    }

    private static async Task<(long Count, double Seconds, List<long> Latencies)> LoadAsync(Func<Task> call, int callers, TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var perCaller = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<long>();
            while (Stopwatch.GetTimestamp() < end)
            {
                var begin = Stopwatch.GetTimestamp();
                await call();
                latencies.Add(Stopwatch.GetTimestamp() - begin);
            }

            return latencies;
        })));
        var took = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = perCaller.SelectMany(l => l).ToList();
        return (all.Count, took, all);
    }

    /// <summary>Calls until the node named <paramref name="node"/> answers (its membership has reached the front's router).</summary>
    private static async Task UntilAnsweredByAsync(BenchNode front, string node)
    {
        var client = front.Library.Get<int, int>("noop");
        for (var i = 0; i < 100_000; i++)
        {
            if (await client.PredictAsync(-1) == NoopModel.NodeId(node))
            {
                return;
            }
        }

        throw new InvalidOperationException($"Node {node} never answered.");
    }

    private static BenchNode Node(string name, string[] hosts, string mlpPath)
    {
        var options = new ModelClusterOptions { Enabled = true, Hostname = "127.0.0.1", Port = 0, Models = [.. hosts] };
        var system = ActorSystem.Create("ml", ModelClusterConfig.For(options, ["noop", "mlp"]).WithFallback("akka.loglevel = WARNING"));
        var library = ModelLibrary.CreateBuilder()
            .UseActorSystem(system)
            .AddModel("noop", factory: _ => new NoopModel(name))
            .AddOnnxModel("mlp", mlpPath, s => s.IntraOpNumThreads = 1, o => { o.MaxBatchSize = 16; o.MaxDelay = TimeSpan.Zero; })
            .UseCluster(options)
            .Build();
        return new BenchNode(system, library);
    }

    private static void Join(BenchNode node, BenchNode seed) => Akka.Cluster.Cluster.Get(node.System).Join(Akka.Cluster.Cluster.Get(seed.System).SelfAddress);

    private sealed record BenchNode(ActorSystem System, ModelLibrary Library);

    /// <summary>Answers its item; item −1 is answered with the id of the node it runs on.</summary>
    private sealed class NoopModel(string node) : Model<int, int>
    {
        public static int NodeId(string node) => node.GetHashCode(StringComparison.Ordinal) & 0x7fffffff;

        protected override int Predict(int item, CancellationToken cancellationToken) => item == -1 ? NodeId(node) : item;
    }
}
