using System.Diagnostics;
using System.Globalization;
using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;
using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Benchmarks;

/// <summary>
/// An MLP (256→512→512→10, float, ReLU) built here, run two ways at each batch size B: raw through the
/// ONNX Runtime package (one thread calling its <c>InferenceSession.Run</c> with an <c>OrtValue</c> over a
/// pre-built [B,256] batch and copying the output into a managed array), and through the model actor with
/// batching (MaxBatchSize B, MaxDelay 0, by default 1 replica; optionally more replicas with ConcurrentRuns
/// bounding their runs) fed by concurrent callers (by default twice the batch size, so a full batch never
/// waits on its own callers) sending single [1,256] items. Both stay loaded for the whole row and are measured in turns
/// (raw, session, actors, raw, ...; 9 turns by default), so a slow spell on the machine hits all three; reported are
/// the medians, and the median and range of each turn's actors / raw.
/// Run: <c>dotnet run -c Release -- onnx [seconds] [intraOpThreads] [allowSpinning] [replicas] [concurrentRuns] [callers] [batchSizes, e.g. 1,8,64] [turns]</c>.
/// </summary>
public static class OnnxThroughputBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2;
        var threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        var spinning = args.Length > 2 ? args[2] : "1";
        var setup = new ActorSetup(
            Replicas: args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1,
            ConcurrentRuns: args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0,
            Callers: args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 0);
        int[] batchSizes = args.Length > 6 ? [.. args[6].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture))] : [1, 8, 16, 32, 64];
        var turns = args.Length > 7 ? int.Parse(args[7], CultureInfo.InvariantCulture) : 9;
        var duration = TimeSpan.FromSeconds(seconds);
        var path = Path.Combine(Path.GetTempPath(), "modelactors-mlp-256-512-512-10.onnx");
        File.WriteAllBytes(path, BuildMlp());
        Console.WriteLine($"# MLP 256→512→512→10 (float), ONNX Runtime {InferenceSession.RuntimeVersion}, IntraOpNumThreads {threads} (0 = ORT's default), allow_spinning {spinning}, same for both; actors: {setup.Replicas} replica(s), ConcurrentRuns {setup.ConcurrentRuns} (0 = no limit), {(setup.Callers == 0 ? "2 × batch size" : setup.Callers.ToString(CultureInfo.InvariantCulture))} callers; {turns} turns of {seconds} s each per row after 1 s warm-up, medians");
        Console.WriteLine("| batch size | raw items/s | ModelActors session items/s | session / raw | session B/run | actors items/s | actors / raw | per-turn actors / raw: median (range) | actors mean batch | actors B/item | actors gen0 GCs/s | replica CPU | replica preempted/s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var batch in batchSizes)
        {
            using var sessionOptions = new Ort.SessionOptions { IntraOpNumThreads = threads };
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning);
            using var session = new Ort.InferenceSession(path, sessionOptions);
            var batchValues = Values(new Random(7), batch * 256);
            using var input = Ort.OrtValue.CreateTensorValueFromMemory(batchValues, [batch, 256]);
            using var wrapped = new InferenceSession(path, new OnnxSessionOptions
            {
                IntraOpNumThreads = threads,
                ConfigEntries = new Dictionary<string, string> { ["session.intra_op.allow_spinning"] = spinning },
            });
            var wrappedInputs = new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(batchValues, batch, 256) };
            await using var library = ModelLibrary.CreateBuilder()
                .AddOnnxModel(
                    "mlp",
                    path,
                    s => { s.IntraOpNumThreads = threads; s.ConfigEntries["session.intra_op.allow_spinning"] = spinning; s.ConcurrentRuns = setup.ConcurrentRuns; },
                    o => { o.Replicas = setup.Replicas; o.MaxBatchSize = batch; o.MaxDelay = TimeSpan.Zero; o.QueueCapacity = 4096; })
                .Build();
            await library.LoadAsync();
            var client = library.Get<OnnxTensors, OnnxTensors>("mlp");
            var random = new Random(11);
            var callers = setup.Callers == 0 ? 2 * batch : setup.Callers;
            var items = Enumerable.Range(0, callers).Select(_ => new OnnxTensors { ["x"] = OnnxTensor.Create(Values(random, 256), 1, 256) }).ToArray();
            using var sizes = new BatchSizeListener();

            Loop(session, input, TimeSpan.FromSeconds(1));
            await LoadAsync(client, items, TimeSpan.FromSeconds(1));
            sizes.Reset();
            var raw = new List<double>();
            var sessionRuns = new List<double>();
            var sessionBytes = new List<double>();
            var actors = new List<double>();
            var memory = new List<(double BytesPerItem, double CollectionsPerSecond)>();
            var replica = new List<(double Busy, double PreemptedPerSecond)>();
            for (var turn = 0; turn < turns; turn++)
            {
                raw.Add(Loop(session, input, duration) * batch / duration.TotalSeconds);
                var before = GC.GetAllocatedBytesForCurrentThread();
                var runs = Loop(wrapped, wrappedInputs, duration);
                sessionBytes.Add((double)(GC.GetAllocatedBytesForCurrentThread() - before) / runs);
                sessionRuns.Add(runs * batch / duration.TotalSeconds);
                var allocated = GC.GetTotalAllocatedBytes();
                var collections = GC.CollectionCount(0);
                var cpu = ThreadCpu.Read(ReplicaThreads);
                var (answered, took) = await LoadAsync(client, items, duration);
                var cpuAfter = ThreadCpu.Read(ReplicaThreads);
                actors.Add(answered / took);
                replica.Add(((cpuAfter.Seconds - cpu.Seconds) / took / setup.Replicas, (cpuAfter.Preempted - cpu.Preempted) / took));
                memory.Add(((double)(GC.GetTotalAllocatedBytes() - allocated) / answered, (GC.CollectionCount(0) - collections) / took));
            }

            var perTurn = raw.Zip(actors, (r, a) => a / r).ToList();
            var ratios = string.Create(CultureInfo.InvariantCulture, $"{Median(perTurn):P0} ({perTurn.Min():P0}–{perTurn.Max():P0})").Replace(" %", "%", StringComparison.Ordinal);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {batch} | {Median(raw):N0} | {Median(sessionRuns):N0} | {Median(sessionRuns) / Median(raw):P1} | {Median(sessionBytes):N0} | {Median(actors):N0} | **{Median(actors) / Median(raw):P1}** | {ratios} | {sizes.Mean:N1} | {Median([.. memory.Select(m => m.BytesPerItem)]):N0} | {Median([.. memory.Select(m => m.CollectionsPerSecond)]):N0} | {Median([.. replica.Select(r => r.Busy)]):P0} | {Median([.. replica.Select(r => r.PreemptedPerSecond)]):N0} |"));
        }
    }

    /// <summary>The name the replicas' threads start with (the pinned dispatcher's, truncated by Linux to 15 characters).</summary>
    private const string ReplicaThreads = "model-actors.pi";

    private static long Loop(Ort.InferenceSession session, Ort.OrtValue input, TimeSpan duration)
    {
        using var runOptions = new Ort.RunOptions();
        string[] inputNames = ["x"];
        Ort.OrtValue[] inputs = [input];
        string[] outputNames = ["y"];
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var runs = 0L;
        while (Stopwatch.GetTimestamp() < end)
        {
            using var outputs = session.Run(runOptions, inputNames, inputs, outputNames);
            _ = outputs[0].GetTensorDataAsSpan<float>().ToArray(); // the answer in managed memory, as the actors give it
            runs++;
        }

        return runs;
    }

    /// <summary>Runs of ModelActors' own <see cref="InferenceSession"/> (input check, an OrtValue per input, output copied) on the same batch.</summary>
    private static long Loop(InferenceSession session, Dictionary<string, OnnxTensor> inputs, TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var runs = 0L;
        while (Stopwatch.GetTimestamp() < end)
        {
            _ = session.Run(inputs);
            runs++;
        }

        return runs;
    }

    /// <summary>Items answered through the actors, and the seconds it took: every caller sends its item, awaits the answer, and sends again.</summary>
    private static async Task<(long Items, double Seconds)> LoadAsync(IModelClient<OnnxTensors, OnnxTensors> client, OnnxTensors[] items, TimeSpan duration)
    {
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var counts = await Task.WhenAll(items.Select(item => Task.Run(async () =>
        {
            var n = 0L;
            while (Stopwatch.GetTimestamp() < end)
            {
                await client.PredictAsync(item).ConfigureAwait(false);
                n++;
            }

            return n;
        })));
        return (counts.Sum(), Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The MLP 256→512→512→10 (float) with fixed random weights.</summary>
    internal static byte[] BuildMlp()
    {
        var random = new Random(42);
        return new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N", 256)
            .Initializer("w1", Values(random, 256 * 512, 0.05f), 256, 512).Initializer("b1", Values(random, 512, 0.05f), 512)
            .Initializer("w2", Values(random, 512 * 512, 0.05f), 512, 512).Initializer("b2", Values(random, 512, 0.05f), 512)
            .Initializer("w3", Values(random, 512 * 10, 0.05f), 512, 10).Initializer("b3", Values(random, 10, 0.05f), 10)
            .Node("MatMul", ["x", "w1"], ["h1m"]).Node("Add", ["h1m", "b1"], ["h1a"]).Node("Relu", ["h1a"], ["h1"])
            .Node("MatMul", ["h1", "w2"], ["h2m"]).Node("Add", ["h2m", "b2"], ["h2a"]).Node("Relu", ["h2a"], ["h2"])
            .Node("MatMul", ["h2", "w3"], ["ym"]).Node("Add", ["ym", "b3"], ["y"])
            .Output("y", TensorElementType.Float, "N", 10)
            .Build();
    }

    private static float[] Values(Random random, int count, float scale = 1) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5) * 2 * scale)];

    private readonly record struct ActorSetup(int Replicas, int ConcurrentRuns, int Callers);
}
