using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>
/// A job of 1,000 items on a slow counting model in a <c>serve</c> process, stopped halfway (SIGKILL, or SIGTERM),
/// then a new process on the same SQLite file: the job finishes, every item has exactly one answer, and no item whose
/// answer was in the journal ran again.
/// </summary>
public sealed class JobRestartTests
{
    private const int Items = 1000;

    private static string[] Serve(string data, string log) =>
    [
        "serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "", "--Server:LameDuck=00:00:00",
        "--Server:Jobs:Store=sqlite", $"--Server:DataDirectory={data}", "--Server:Jobs:ChunkSize=10",
        $"--Server:ModelAssemblies:0={typeof(CountingModel).Assembly.Location}",
        $"--ModelActors:Models:slow:Type={typeof(CountingModel).FullName}",
        "--ModelActors:Models:slow:Settings:DelayMs=10", $"--ModelActors:Models:slow:Settings:Log={log}",
    ];

    [Fact]
    public Task AJobKilledHalfway_FinishesAfterTheRestart_EachItemAnsweredOnce() => RestartHalfwayAsync(kill: true);

    [Fact]
    public Task AJobStoppedGracefullyHalfway_FinishesAfterTheRestart_NoItemRunTwice() => RestartHalfwayAsync(kill: false);

    private static async Task RestartHalfwayAsync(bool kill)
    {
        using var data = new DataFolder();
        var firstLog = Path.Combine(data.Path, "first.log");
        var secondLog = Path.Combine(data.Path, "second.log");
        string id;
        using (var first = CliProcess.Start(Serve(data.Path, firstLog)))
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

        var written = AnsweredInJournal(data.Database, id);
        Assert.InRange(written, 300, Items - 1); // stopped halfway, not at the end

        using var second = CliProcess.Start(Serve(data.Path, secondLog));
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
    private static int AnsweredInJournal(string database, string id)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal WHERE persistence_id = $id AND manifest = 'job-items-done.v1' ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", "job-" + id);
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
