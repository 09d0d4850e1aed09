using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>
/// A job of 1,000 items on a slow counting model in a <c>serve</c> process, stopped halfway (SIGKILL, or SIGTERM),
/// then a new process on the same SQLite file: the job finishes, every item has exactly one answer, and no item whose
/// answer was in the journal ran again. On SQLite (the default) and on a PostgreSQL server started for the tests.
/// </summary>
public sealed class JobRestartTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const int Items = 1000;

    /// <summary>Where a test's journal is: the store's settings, and how to read what the journal holds.</summary>
    private sealed record Journal(string[] Settings, Func<string, int> Answered);

    private static Journal Sqlite(DataFolder data) =>
        new(["--Server:Jobs:Store=sqlite"], id => AnsweredInJournal(new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={data.Database};Mode=ReadOnly"), id, "$id"));

    private Journal Postgres()
    {
        var connection = postgres.CreateDatabase();
        return new(["--Server:Jobs:Store=postgresql", $"--Server:Jobs:ConnectionString={connection}"], id => AnsweredInJournal(new Npgsql.NpgsqlConnection(connection), id, "@id"));
    }

    private static string[] Serve(string data, string log, Journal journal) =>
    [
        "serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "", "--Server:LameDuck=00:00:00",
        .. journal.Settings, $"--Server:DataDirectory={data}", "--Server:Jobs:ChunkSize=10",
        $"--Server:ModelAssemblies:0={typeof(CountingModel).Assembly.Location}",
        $"--ModelActors:Models:slow:Type={typeof(CountingModel).FullName}",
        "--ModelActors:Models:slow:Settings:DelayMs=10", $"--ModelActors:Models:slow:Settings:Log={log}",
    ];

    [Fact]
    public Task AJobKilledHalfway_FinishesAfterTheRestart_EachItemAnsweredOnce() => RestartHalfwayAsync(kill: true, Sqlite);

    [Fact]
    public Task AJobStoppedGracefullyHalfway_FinishesAfterTheRestart_NoItemRunTwice() => RestartHalfwayAsync(kill: false, Sqlite);

    [SkippableFact]
    public Task OnPostgreSql_AJobKilledHalfway_FinishesAfterTheRestart_EachItemAnsweredOnce()
    {
        Skip.If(postgres.Unavailable is not null, postgres.Unavailable);
        return RestartHalfwayAsync(kill: true, _ => Postgres());
    }

    private static async Task RestartHalfwayAsync(bool kill, Func<DataFolder, Journal> store)
    {
        using var data = new DataFolder();
        var journal = store(data);
        var firstLog = Path.Combine(data.Path, "first.log");
        var secondLog = Path.Combine(data.Path, "second.log");
        string id;
        using (var first = CliProcess.Start(Serve(data.Path, firstLog, journal)))
        {
            using var http = new HttpClient { BaseAddress = new Uri(await first.Listening.WaitAsync(TimeSpan.FromMinutes(1))) };
            using var submitted = await http.PostAsJsonAsync("/jobs/slow", Enumerable.Range(0, Items).ToArray());
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            // Halfway-ish: the first progress event at 300 items or more.
            using var watch = await http.GetAsync($"/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead);
            await foreach (var sse in JobWatchTests.ReadEvents(watch))
            {
                if (sse.Name == "progress" && sse.Data.GetProperty("done").GetInt32() >= 300)
                {
                    break;
                }
            }

            if (kill)
            {
                await first.KillAsync();
            }
            else
            {
                await first.TerminateAsync();
                Assert.Equal(0, await first.ExitAsync());
            }
        }

        var written = journal.Answered(id);
        Assert.InRange(written, 300, Items - 1); // stopped halfway, not at the end

        using var second = CliProcess.Start(Serve(data.Path, secondLog, journal));
        using var client = new HttpClient { BaseAddress = new Uri(await second.Listening.WaitAsync(TimeSpan.FromMinutes(1))) };
        JsonElement done;
        do
        {
            done = await client.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");
        }
        while (done.GetProperty("job").GetProperty("status").GetString() == "running");

        var results = done.GetProperty("results").EnumerateArray().ToList();
        var firstRun = Calls(firstLog);
        var secondRun = Calls(secondLog);
        Assert.Equal("finished", done.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(Enumerable.Range(0, Items), results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(Enumerable.Range(0, Items).Select(i => i * 2), results.Select(r => r.GetProperty("result").GetInt32()));
        Assert.Equal(Enumerable.Range(written, Items - written), secondRun.Order()); // resumed at the first item not written, each once
        Assert.True(firstRun.Distinct().Count() == firstRun.Count, "an item ran twice before the stop");
        Assert.Equal(Enumerable.Range(0, Items), firstRun.Union(secondRun).Order());
        if (!kill)
        {
            Assert.Empty(firstRun.Intersect(secondRun)); // the running chunk was written before the stop
        }
    }

    private static List<int> Calls(string log) =>
        File.Exists(log) ? [.. File.ReadAllLines(log).Where(l => l.Length > 0).Select(l => int.Parse(l, System.Globalization.CultureInfo.InvariantCulture))] : [];

    /// <summary>How many items have their answer in job <paramref name="id"/>'s journal: the answered prefix, checked to be one.</summary>
    private static int AnsweredInJournal(System.Data.Common.DbConnection connection, string id, string parameter)
    {
        using var owned = connection;
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT message FROM journal WHERE persistence_id = {parameter} AND manifest = 'job-items-done.v1' ORDER BY sequence_number";
        var value = command.CreateParameter();
        value.ParameterName = parameter;
        value.Value = "job-" + id;
        command.Parameters.Add(value);
        using var reader = command.ExecuteReader();
        var next = 0;
        while (reader.Read())
        {
            using var done = JsonDocument.Parse((byte[])reader["message"]);
            Assert.Equal(next, done.RootElement.GetProperty("start").GetInt32());
            next += done.RootElement.GetProperty("items").GetArrayLength();
        }

        return next;
    }
}
