using System.Diagnostics;
using System.Globalization;
using Akka.Streams.Dsl;
using ModelActors.Onnx;
using ModelActors.Pretrained.Vad;

namespace ModelActors.Benchmarks;

/// <summary>
/// <c>vad [streams] [seconds of audio per stream]</c>: Silero VAD v5 frames per second through
/// <see cref="SpeechSegmenter"/>, many concurrent audio streams at once, with the <c>vad</c> model's batching off
/// (MaxBatchSize 1) and on (64), side by side in one process; three turns each, medians.
/// </summary>
internal static class VadBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var streams = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var random = new Random(5);
        // Noise with bursts of a 200 Hz buzz: content does not change Silero's cost per frame.
        var audio = Enumerable.Range(0, (int)(seconds * 16000))
            .Select(i => (float)(((random.NextDouble() - 0.5) * 0.02) + (i / 8000 % 2 == 0 ? 0.3 * Math.Sin(2 * Math.PI * 200 * i / 16000) : 0)))
            .ToArray();
        var framesPerStream = (audio.Length + 511) / 512;
        Console.WriteLine($"# Silero VAD v5, {streams} concurrent streams × {seconds} s of audio ({framesPerStream} frames each), IntraOpNumThreads 1, 1 replica; 3 turns, median");
        Console.WriteLine("| vad MaxBatchSize | frames/s | turns | × batch 1 |");
        Console.WriteLine("|---:|---:|---|---:|");
        double? baseline = null;
        foreach (var maxBatch in new[] { 1, 64 })
        {
            await using var library = ModelLibrary.CreateBuilder()
                .AddOnnxModel("vad", Path.Combine(AppContext.BaseDirectory, "models", "silero_vad_v5.onnx"), s =>
                {
                    s.IntraOpNumThreads = 1;
                    s.BatchAxes["state"] = 1;
                    s.OutputBatchAxes["stateN"] = 1;
                    s.SharedInputs.Add("sr");
                }, o => { o.MaxBatchSize = maxBatch; o.QueueCapacity = 4096; })
                .Build();
            await library.LoadAsync();
            var vad = library.Get<OnnxTensors, OnnxTensors>("vad");
            await RunOnceAsync(library, vad, audio, 4); // warm-up
            var turns = new List<double>();
            for (var turn = 0; turn < 3; turn++)
            {
                var clock = Stopwatch.StartNew();
                await RunOnceAsync(library, vad, audio, streams);
                turns.Add(streams * framesPerStream / clock.Elapsed.TotalSeconds);
            }

            var median = turns.Order().ElementAt(1);
            baseline ??= median;
            Console.WriteLine($"| {maxBatch} | {median:N0} | {string.Join(" ", turns.Select(t => t.ToString("N0", CultureInfo.InvariantCulture)))} | {median / baseline.Value:F2}× |");
        }
    }

    private static Task RunOnceAsync(ModelLibrary library, IModelClient<OnnxTensors, OnnxTensors> vad, float[] audio, int streams) =>
        Task.WhenAll(Enumerable.Range(0, streams).Select(_ =>
            Source.Single(audio).Via(SpeechSegmenter.Create(vad)).RunWith(Sink.Ignore<SpeechSegment>(), library.Materializer)));
}
