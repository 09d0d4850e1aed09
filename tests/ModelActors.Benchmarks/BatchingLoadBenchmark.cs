using System.Diagnostics;
using System.Globalization;

namespace ModelActors.Benchmarks;

/// <summary>
/// Closed-loop load: N callers each send one request, wait for it, send the next, for a fixed time;
/// batching on (MaxBatchSize 64, MaxDelay 0) against off, on the same model. Reports throughput,
/// p50/p99 latency and bytes allocated per request. Run: <c>dotnet run -c Release -- batching [seconds] [callers,callers,…]</c>.
/// </summary>
public static class BatchingLoadBenchmark
{
    private static readonly int[] CallerCounts = [1, 8, 64, 256];

    public static async Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var duration = TimeSpan.FromSeconds(seconds);
        var callerCounts = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : CallerCounts;
        // The first library of the process measured about 50 µs faster per call at one caller than every
        // later one (whichever configuration it had), so a discarded row goes first and every row compared
        // is a later one.
        await RunRowAsync("warm-up", null, 1, duration, b => b.AddModel("m", o => Configure(o, null), _ => new CostModel(TimeSpan.FromMicroseconds(500), TimeSpan.FromMicroseconds(5))), print: false);
        Console.WriteLine($"# Cost model: 1 replica (sync, dedicated thread), call = 500 µs fixed + 5 µs per item; {seconds} s per row after 1 s warm-up");
        Console.WriteLine("| model | batching | callers | requests/s | p50 µs | p99 µs | mean batch | B/request |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var callers in callerCounts)
        {
            foreach (var maxDelay in new TimeSpan?[] { null, TimeSpan.Zero })
            {
                await RunRowAsync("cost 500+5/item", maxDelay, callers, duration, b => b.AddModel("m", o => Configure(o, maxDelay), _ => new CostModel(TimeSpan.FromMicroseconds(500), TimeSpan.FromMicroseconds(5))));
            }
        }

        Console.WriteLine();
        Console.WriteLine("# Batcher overhead: instant async model, 1 replica, 1 caller (a 2 ms window shows Akka's 10 ms scheduler tick)");
        Console.WriteLine("| model | batching | callers | requests/s | p50 µs | p99 µs | mean batch | B/request |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        // 500 µs: a delay Triton users write (config.pbtxt max_queue_delay_microseconds); the server serves it as 0 (TritonModelConfig).
        foreach (var maxDelay in new TimeSpan?[] { null, TimeSpan.Zero, TimeSpan.FromMicroseconds(500), TimeSpan.FromMilliseconds(2) })
        {
            await RunRowAsync("instant", maxDelay, 1, duration, b => b.AddModel("m", o => Configure(o, maxDelay), _ => new InstantModel()));
        }
    }

    /// <summary>Batching off when <paramref name="maxDelay"/> is null; else MaxBatchSize 64 with that window.</summary>
    private static void Configure(ModelOptions options, TimeSpan? maxDelay)
    {
        options.QueueCapacity = 4096;
        if (maxDelay is { } window)
        {
            options.MaxBatchSize = 64;
            options.MaxDelay = window;
        }
    }

    private static async Task RunRowAsync(string model, TimeSpan? maxDelay, int callers, TimeSpan duration, Func<ModelLibraryBuilder, ModelLibraryBuilder> register, bool print = true)
    {
        await using var library = register(ModelLibrary.CreateBuilder()).Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("m");
        using var batchSizes = new BatchSizeListener();

        await LoadAsync(client, callers, TimeSpan.FromSeconds(1), record: null); // warm-up
        batchSizes.Reset();
        var latencies = new List<long>[callers];
        for (var i = 0; i < callers; i++)
        {
            latencies[i] = new List<long>(1 << 16);
        }

        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        await LoadAsync(client, callers, duration, latencies);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var perSecond = all.Length / elapsed.TotalSeconds;
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1e6 / Stopwatch.Frequency;
        // Each latency list grows by one long per request; that is the harness's own allocation, not the library's.
        var harness = all.Length * sizeof(long) * 2;
        if (!print)
        {
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | {(maxDelay is { } d ? $"on (64, {d.TotalMilliseconds:0.#} ms)" : "off")} | {callers} | {perSecond:N0} | {Percentile(0.50):N1} | {Percentile(0.99):N1} | {batchSizes.Mean:N1} | {Math.Max(0, allocated - harness) / (double)Math.Max(1, all.Length):N0} |"));
    }

    private static Task LoadAsync(IModelClient<int, int> client, int callers, TimeSpan duration, List<long>[]? record)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var mine = record?[c];
            var i = 0;
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                await client.PredictAsync(i++).ConfigureAwait(false);
                mine?.Add(Stopwatch.GetTimestamp() - sent);
            }
        })));
    }
}
