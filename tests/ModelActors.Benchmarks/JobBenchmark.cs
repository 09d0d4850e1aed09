using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using ModelActors.Host.Jobs;
using ModelActors.Host.Server;
using ModelActors.Onnx;

namespace ModelActors.Benchmarks;

/// <summary>
/// What a durable job costs (issue 22): the items/s of a job (a persistent job actor, one journal event per chunk of
/// 64) on the no-op and the MLP model, against the same items sent as requests through the library (64 in flight),
/// with Akka's in-memory journal (what the job path costs without a database), on SQLite (a temporary file) and, when a
/// connection string is given, on PostgreSQL; and the journal's bytes per
/// item. Arguments: no-op items (default 20000), MLP items (default 5000), PostgreSQL connection string (optional; "" for
/// none), chunk size, chunks in flight and events between snapshots (default: the server's defaults).
/// </summary>
public static class JobBenchmark
{
    private const int InFlight = 64;

    /// <summary>Rounds per row: each path's figure is the median of its rounds.</summary>
    private const int Rounds = 3;

    public static async Task RunAsync(string[] args)
    {
        var noopItems = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var mlpItems = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5_000;
        var postgres = args.Length > 2 && args[2].Length > 0 ? args[2] : null;
        var chunk = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : new JobOptions().ChunkSize;
        var inFlight = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : new JobOptions().ChunksInFlight;
        var snapshots = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : new JobOptions().SnapshotEvery;
        var mlpPath = Path.Combine(Path.GetTempPath(), "modelactors-mlp-256-512-512-10.onnx");
        File.WriteAllBytes(mlpPath, OnnxThroughputBenchmark.BuildMlp());

        Console.WriteLine($"# {Environment.ProcessorCount} cores; one process; requests: the items through IModelClient.PredictAsync, {InFlight} in flight; job: submitted to the job manager actor, timed from submit to its end event; chunks of {chunk} growing to {new JobOptions().MaxChunkSize} while fast, {inFlight} in flight, a snapshot every {snapshots} events; each figure the median of {Rounds} rounds after one not timed, the paths taking turns");
        Console.WriteLine("| store | model | items | requests items/s | job items/s | job / requests | journal B/item (answers) | journal B/item (all) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var data = Directory.CreateTempSubdirectory("modelactors-jobbench-");
        try
        {
            await StoreAsync("memory", new ServerOptions { Jobs = new JobOptions { Store = "memory", ChunkSize = chunk, ChunksInFlight = inFlight, SnapshotEvery = snapshots } }, null, noopItems, mlpItems, mlpPath);
            await StoreAsync("sqlite", new ServerOptions { DataDirectory = data.FullName, Jobs = new JobOptions { ChunkSize = chunk, ChunksInFlight = inFlight, SnapshotEvery = snapshots } }, () => new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(data.FullName, "jobs.db")};Mode=ReadOnly"), noopItems, mlpItems, mlpPath);
            if (postgres is not null)
            {
                var options = new ServerOptions { Jobs = new JobOptions { Store = "postgresql", ConnectionString = postgres, ChunkSize = chunk, ChunksInFlight = inFlight, SnapshotEvery = snapshots } };
                await StoreAsync("postgresql", options, () => new Npgsql.NpgsqlConnection(postgres), noopItems, mlpItems, mlpPath);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }

    private static async Task StoreAsync(string store, ServerOptions options, Func<DbConnection>? journal, int noopItems, int mlpItems, string mlpPath)
    {
        var system = ActorSystem.Create("jobbench", JobPersistence.Hocon(options).WithFallback("akka.loglevel = WARNING"));
        await using var library = ModelLibrary.CreateBuilder()
            .UseActorSystem(system)
            .AddModel<NoopModel>("noop", o => o.MaxBatchSize = 64)
            .AddOnnxModel("mlp", mlpPath, s => s.IntraOpNumThreads = 1, o => { o.MaxBatchSize = 16; o.MaxDelay = TimeSpan.Zero; })
            .Build();
        await library.LoadAsync();
        var manager = system.ActorOf(JobManager.Props(library, new ModelVersions(), options, TimeProvider.System), "jobs");

        var noop = Enumerable.Range(0, noopItems).ToList();
        var noopJson = JsonSerializer.SerializeToUtf8Bytes(noop);
        var x = Enumerable.Range(0, 256).Select(i => i / 256f).ToArray();
        var mlp = Enumerable.Range(0, mlpItems).Select(_ => new OnnxTensors { ["x"] = OnnxTensor.Create(x, 1, 256) }).ToList();
        var mlpJson = JsonSerializer.SerializeToUtf8Bytes(Enumerable.Range(0, mlpItems).Select(_ => new { inputs = new[] { new { name = "x", shape = new[] { 1, 256 }, datatype = "FP32", data = x } } }));

        // Warm-up: both paths, a small job each.
        await RequestsAsync(library.Get<int, int>("noop"), noop.Take(2000).ToList());
        await JobAsync(manager, "noop", JobKind.Typed, JsonSerializer.SerializeToUtf8Bytes(noop.Take(2000)), 2000);
        await RequestsAsync(library.Get<OnnxTensors, OnnxTensors>("mlp"), mlp.Take(500).ToList());
        await JobAsync(manager, "mlp", JobKind.Tensor, JsonSerializer.SerializeToUtf8Bytes(Enumerable.Range(0, 500).Select(_ => new { inputs = new[] { new { name = "x", shape = new[] { 1, 256 }, datatype = "FP32", data = x } } })), 500);

        await Row(store, "noop", noop.Count, () => RequestsAsync(library.Get<int, int>("noop"), noop), () => JobAsync(manager, "noop", JobKind.Typed, noopJson, noop.Count), journal);
        await Row(store, "noop ×3 jobs", noop.Count * 3, () => RequestsAsync(library.Get<int, int>("noop"), [.. noop, .. noop, .. noop]), () => JobsAsync(manager, 3, noopJson, noop.Count), journal, noop.Count);
        await Row(store, "mlp", mlp.Count, () => RequestsAsync(library.Get<OnnxTensors, OnnxTensors>("mlp"), mlp), () => JobAsync(manager, "mlp", JobKind.Tensor, mlpJson, mlp.Count), journal);
        await system.Terminate();
    }

    private static async Task Row(string store, string model, int items, Func<Task<double>> requests, Func<Task<(double Seconds, string Id)>> job, Func<DbConnection>? journal, int? itemsPerJob = null)
    {
        // A round not timed (the JIT's tiers settle), then three rounds, the two paths taking turns; the median of each.
        await requests();
        await job();
        var requestTimes = new List<double>();
        var jobTimes = new List<double>();
        var id = string.Empty;
        for (var round = 0; round < Rounds; round++)
        {
            requestTimes.Add(await requests());
            var (seconds, jobId) = await job();
            jobTimes.Add(seconds);
            id = jobId;
        }

        var requestSeconds = requestTimes.Order().ElementAt(Rounds / 2);
        var jobSeconds = jobTimes.Order().ElementAt(Rounds / 2);
        var (answers, all) = journal is null ? (0L, 0L) : JournalBytes(journal, id);
        var perJob = itemsPerJob ?? items;
        var bytes = journal is null ? "– | –" : string.Create(CultureInfo.InvariantCulture, $"{(double)answers / perJob:F0} | {(double)all / perJob:F0}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {store} | {model} | {items} | {items / requestSeconds:N0} | {items / jobSeconds:N0} | {requestSeconds / jobSeconds * 100:F0}% | {bytes} |"));
    }

    private static async Task<double> RequestsAsync<TItem, TResult>(IModelClient<TItem, TResult> client, IReadOnlyList<TItem> items)
    {
        var started = Stopwatch.GetTimestamp();
        var outcomes = await client.PredictOutcomesAsync(items, InFlight);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return outcomes.All(o => o.IsSuccess) ? seconds : throw new InvalidOperationException("A request failed.");
    }

    private static async Task<(double Seconds, string Id)> JobAsync(IActorRef manager, string model, string kind, byte[] items, int total)
    {
        var started = Stopwatch.GetTimestamp();
        var accepted = await manager.Ask<JobAccepted>(new SubmitJob(model, kind, items, total), TimeSpan.FromMinutes(1));
        var ended = await manager.Ask<JobView>(new ToJob(accepted.Job.Id, WhenJobEnded.Instance), TimeSpan.FromMinutes(10));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return ended.Job.Status == JobStatus.Finished && ended.Job.Succeeded == total
            ? (seconds, accepted.Job.Id)
            : throw new InvalidOperationException($"The job ended {ended.Job.Status} with {ended.Job.Succeeded} of {total}.");
    }

    /// <summary>Several no-op jobs at once, timed from the first submit to the last end; the id is the last job's.</summary>
    private static async Task<(double Seconds, string Id)> JobsAsync(IActorRef manager, int jobs, byte[] items, int total)
    {
        var started = Stopwatch.GetTimestamp();
        var all = await Task.WhenAll(Enumerable.Range(0, jobs).Select(_ => JobAsync(manager, "noop", JobKind.Typed, items, total)));
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, all[^1].Id);
    }

    /// <summary>The payload bytes of a job's journal events: its answers (items-done events), and all of them.</summary>
    private static (long Answers, long All) JournalBytes(Func<DbConnection> open, string id)
    {
        using var connection = open();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT manifest, length(message) FROM journal WHERE persistence_id = '{"job-" + id}'";
        using var reader = command.ExecuteReader();
        long answers = 0, all = 0;
        while (reader.Read())
        {
            var bytes = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            all += bytes;
            answers += reader.GetString(0) == "job-items-done.v1" ? bytes : 0;
        }

        return (answers, all);
    }

    private sealed class NoopModel : Model<int, int>
    {
        protected override int Predict(int item, CancellationToken cancellationToken) => item;
    }
}
