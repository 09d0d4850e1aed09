using System.Diagnostics;
using System.Globalization;
using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Benchmarks;

/// <summary>
/// An MLP (256→512→512→10, float, ReLU) built here, run two ways at each batch size B: raw through the
/// binding (one thread calling <see cref="InferenceSession.Run"/> on a pre-built [B,256] batch), and
/// through the model actor with batching (MaxBatchSize B, MaxDelay 0, 1 replica) fed by 64 concurrent
/// callers sending single [1,256] items. Reports items per second and the actors' share of raw.
/// Run: <c>dotnet run -c Release -- onnx [seconds]</c>.
/// </summary>
public static class OnnxThroughputBenchmark
{
    private const int Callers = 64;
    private static readonly int[] BatchSizes = [1, 8, 16, 32, 64];

    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        var spinning = args.Length > 2 ? args[2] : "1";
        var entries = new Dictionary<string, string> { ["session.intra_op.allow_spinning"] = spinning };
        var options = new OnnxSessionOptions { IntraOpNumThreads = threads, ConfigEntries = entries };
        var duration = TimeSpan.FromSeconds(seconds);
        var path = Path.Combine(Path.GetTempPath(), "modelactors-mlp-256-512-512-10.onnx");
        File.WriteAllBytes(path, BuildMlp());
        Console.WriteLine($"# MLP 256→512→512→10 (float), ONNX Runtime {InferenceSession.RuntimeVersion}, IntraOpNumThreads {threads} (0 = ORT's default), allow_spinning {spinning}, same for both; {seconds} s per row after 1 s warm-up");
        Console.WriteLine("| batch size | raw items/s | actors items/s (64 callers) | actors / raw | actors mean batch |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var batch in BatchSizes)
        {
            var raw = Raw(path, batch, duration, options);
            var (actors, meanBatch) = await ThroughActorsAsync(path, batch, duration, threads, spinning);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {batch} | {raw:N0} | {actors:N0} | {actors / raw:P1} | {meanBatch:N1} |"));
        }
    }

    private static double Raw(string path, int batch, TimeSpan duration, OnnxSessionOptions options)
    {
        using var session = new InferenceSession(path, options);
        var random = new Random(7);
        var inputs = new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(Values(random, batch * 256), batch, 256) };
        Loop(session, inputs, TimeSpan.FromSeconds(1));
        var runs = Loop(session, inputs, duration);
        return runs * batch / duration.TotalSeconds;
    }

    private static long Loop(InferenceSession session, Dictionary<string, OnnxTensor> inputs, TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var runs = 0L;
        while (Stopwatch.GetTimestamp() < end)
        {
            session.Run(inputs);
            runs++;
        }

        return runs;
    }

    private static async Task<(double ItemsPerSecond, double MeanBatch)> ThroughActorsAsync(string path, int batch, TimeSpan duration, int threads, string spinning)
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("mlp", path, s => { s.IntraOpNumThreads = threads; s.ConfigEntries["session.intra_op.allow_spinning"] = spinning; }, o => { o.MaxBatchSize = batch; o.MaxDelay = TimeSpan.Zero; o.QueueCapacity = 4096; })
            .Build();
        await library.LoadAsync();
        var client = library.Get<OnnxTensors, OnnxTensors>("mlp");
        var random = new Random(11);
        var items = Enumerable.Range(0, Callers).Select(_ => new OnnxTensors { ["x"] = OnnxTensor.Create(Values(random, 256), 1, 256) }).ToArray();
        using var sizes = new BatchSizeListener();

        await Load(client, items, TimeSpan.FromSeconds(1));
        sizes.Reset();
        var started = Stopwatch.GetTimestamp();
        var done = await Load(client, items, duration);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (done / elapsed, sizes.Mean);
    }

    private static async Task<long> Load(IModelClient<OnnxTensors, OnnxTensors> client, OnnxTensors[] items, TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
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
        return counts.Sum();
    }

    private static byte[] BuildMlp()
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
}
