using ModelActors.Host.Grpc.Protocol;
using ModelActors.Host.Server;

namespace ModelActors.Host.Statistics;

/// <summary>
/// The statistics extension's answer, in Triton's shape, shared by <c>GET /v2/models[/{m}[/versions/{v}]]/stats</c> and
/// gRPC <c>ModelStatistics</c>: one entry per served model version. What is measured maps to Triton's fields so:
/// <c>inference_count</c> and <c>success.count</c> are the requests (items) successful executions answered,
/// <c>execution_count</c> the successful model calls; <c>compute_infer</c> each answered request's model-call time;
/// <c>queue</c> every request's wait for a replica; <c>fail</c> requests failed, refused or timed out (their time is not
/// measured: ns 0); <c>success.ns</c> is compute_infer plus queue time. The model call is not split into input
/// preparation, run and output extraction: <c>compute_input</c> and <c>compute_output</c> keep compute_infer's counts
/// with 0 ns. No response cache: cache fields are zero.
/// </summary>
internal static class StatisticsReport
{
    /// <summary>Every served model version, or the versions of <paramref name="model"/> (one when <paramref name="version"/> is given); null with the 404 message when not served.</summary>
    public static (ModelStatisticsResponse? Report, string? NotFound) For(ModelLibrary library, ModelVersions versions, ModelStatistics statistics, string? model, string? version)
    {
        var response = new ModelStatisticsResponse();
        if (string.IsNullOrEmpty(model))
        {
            // The models clients call, each served version once (a replaced generation still draining is not listed:
            // it reports under the same model and version as the one that took over).
            foreach (var name in versions.PublicNames(library.ModelNames).SelectMany(m => versions.Serves(m) ? versions.ServedAs(m) : [m]))
            {
                response.ModelStats.Add(Entry(name, versions, statistics));
            }

            return (response, null);
        }

        if (ModelLookup.Problem(library, versions, model, version, out var description) is { } problem)
        {
            return (null, problem.Message);
        }

        var served = string.IsNullOrEmpty(version) && versions.Serves(model) ? versions.ServedAs(model) : [description.Name];
        foreach (var name in served)
        {
            response.ModelStats.Add(Entry(name, versions, statistics));
        }

        return (response, null);
    }

    /// <summary>The JSON Triton's HTTP statistics route answers (numbers as numbers, not proto JSON's strings).</summary>
    public static object Json(ModelStatisticsResponse report) => new
    {
        model_stats = report.ModelStats.Select(m => new
        {
            name = m.Name,
            version = m.Version,
            last_inference = m.LastInference,
            inference_count = m.InferenceCount,
            execution_count = m.ExecutionCount,
            inference_stats = new
            {
                success = Json(m.InferenceStats.Success),
                fail = Json(m.InferenceStats.Fail),
                queue = Json(m.InferenceStats.Queue),
                compute_input = Json(m.InferenceStats.ComputeInput),
                compute_infer = Json(m.InferenceStats.ComputeInfer),
                compute_output = Json(m.InferenceStats.ComputeOutput),
                cache_hit = Json(m.InferenceStats.CacheHit),
                cache_miss = Json(m.InferenceStats.CacheMiss),
            },
            batch_stats = m.BatchStats.Select(b => new
            {
                batch_size = b.BatchSize,
                compute_input = Json(b.ComputeInput),
                compute_infer = Json(b.ComputeInfer),
                compute_output = Json(b.ComputeOutput),
            }),
            memory_usage = Array.Empty<object>(),
        }),
    };

    private static object Json(StatisticDuration d) => new { count = d.Count, ns = d.Ns };

    private static Grpc.Protocol.ModelStatistics Entry(string name, ModelVersions versions, ModelStatistics statistics)
    {
        var (model, version) = versions.ServedBy(name) ?? (name, string.Empty);
        var s = statistics.Of(model, version);
        var answered = (ulong)s.InferenceCount;
        var entry = new Grpc.Protocol.ModelStatistics
        {
            Name = model,
            Version = version,
            LastInference = (ulong)s.LastInference,
            InferenceCount = answered,
            ExecutionCount = (ulong)s.ExecutionCount,
            InferenceStats = new InferStatistics
            {
                Success = Duration(answered, s.ComputeNs + s.QueueNs),
                Fail = Duration((ulong)s.FailCount, 0),
                Queue = Duration((ulong)s.QueueCount, s.QueueNs),
                ComputeInput = Duration(answered, 0),
                ComputeInfer = Duration(answered, s.ComputeNs),
                ComputeOutput = Duration(answered, 0),
                CacheHit = Duration(0, 0),
                CacheMiss = Duration(0, 0),
            },
        };
        foreach (var batch in s.Batches)
        {
            var count = (ulong)batch.Count;
            entry.BatchStats.Add(new InferBatchStatistics
            {
                BatchSize = (ulong)batch.BatchSize,
                ComputeInput = Duration(count, 0),
                ComputeInfer = Duration(count, batch.ComputeNs),
                ComputeOutput = Duration(count, 0),
            });
        }

        return entry;
    }

    private static StatisticDuration Duration(ulong count, long ns) => new() { Count = count, Ns = (ulong)Math.Max(0, ns) };
}
