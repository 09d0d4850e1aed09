using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using ModelActors.Host.Grpc.Protocol;

namespace ModelActors.Benchmarks;

/// <summary>
/// The same v2 inference over gRPC (raw FP32 contents) and over HTTP (the JSON body of §4), from one C# client
/// (a closed loop of N callers: one <c>GrpcChannel</c>, or one <c>HttpClient</c>), against one running server,
/// side by side: what the protocol costs per request. Run by <c>grpc.sh</c>:
/// <c>grpc-load GRPC_URL HTTP_URL BODY_JSON SECONDS</c>.
/// </summary>
internal static class GrpcBenchmark
{
    public static async Task RunAsync(string grpcUrl, string httpUrl, string bodyPath, double seconds)
    {
        var body = await File.ReadAllTextAsync(bodyPath);
        var values = JsonDocument.Parse(body).RootElement.GetProperty("inputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        using var channel = GrpcChannel.ForAddress(grpcUrl);
        var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        using var http = new HttpClient { BaseAddress = new Uri(httpUrl) };

        Func<Task> GrpcCall(string model)
        {
            var request = new ModelInferRequest { ModelName = model };
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { 1, values.Length } });
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
            return async () => _ = await grpc.ModelInferAsync(request);
        }

        Func<Task> HttpCall(string model) => async () =>
        {
            using var response = await http.PostAsync($"/v2/models/{model}/infer", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync();
        };

        // Warm-up: every route gets 20 s of load first (the JIT needs ~15 s to reach the steady rate, see §4).
        foreach (var model in new[] { "noop", "mlp" })
        {
            await LoadAsync(GrpcCall(model), 64, TimeSpan.FromSeconds(20));
            await LoadAsync(HttpCall(model), 64, TimeSpan.FromSeconds(20));
        }

        Console.WriteLine("| model | callers | gRPC (raw FP32) requests/s | p50 | p99 | HTTP (v2 JSON) requests/s | p50 | p99 | gRPC / HTTP |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var callers in new[] { 1, 64 })
        {
            foreach (var model in new[] { "noop", "mlp" })
            {
                var g = await LoadAsync(GrpcCall(model), callers, TimeSpan.FromSeconds(seconds));
                var h = await LoadAsync(HttpCall(model), callers, TimeSpan.FromSeconds(seconds));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {model} | {callers} | {g.Rate:N0} | {g.P50:F3} ms | {g.P99:F3} ms | {h.Rate:N0} | {h.P50:F3} ms | {h.P99:F3} ms | {g.Rate / h.Rate:F2}× |"));
            }
        }
    }

    /// <summary>Requests per second and latency percentiles of <paramref name="callers"/> callers in a closed loop.</summary>
    private static async Task<(double Rate, double P50, double P99)> LoadAsync(Func<Task> call, int callers, TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var latencies = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>();
            while (Stopwatch.GetTimestamp() < end)
            {
                var t = Stopwatch.GetTimestamp();
                await call();
                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }

            return mine;
        })));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return (all.Length / Stopwatch.GetElapsedTime(started).TotalSeconds, all[all.Length / 2], all[(int)(all.Length * 0.99)]);
    }
}
