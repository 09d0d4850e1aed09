using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelActors.TestKit;

namespace ModelActors.Host.Tests;

/// <summary>Jobs in SQLite: they outlive a graceful restart, expire after their retention on the server's clock, and keep their journal small.</summary>
[Collection(nameof(JobHoldModel))]
public sealed class JobDurabilityTests
{
    private static async Task<string> SubmitAsync(HttpClient http, string model, object items)
    {
        using var response = await http.PostAsJsonAsync($"/jobs/{model}", items);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {json}");
        return json.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task AJobStoppedMidway_ResumesWhenTheServerStartsAgainOnItsData_AndNoItemIsLost()
    {
        JobHoldModel.Reset();
        using var data = new DataFolder();
        var chunkOfOne = new Dictionary<string, string> { ["Server:Jobs:ChunkSize"] = "1" };
        string id;
        await using (var first = new JobServer(data.Path, chunkOfOne))
        {
            using var http = first.CreateClient();
            id = await SubmitAsync(http, "held", new[] { "a", "b", "c" });
            await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        } // stopped while item 0 is held: that call is cancelled, and the job is not

        await JobHoldModel.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var answering = new Dictionary<string, string>(chunkOfOne) { ["ModelActors:Models:held:Type"] = "EchoModel" };
        await using var second = new JobServer(data.Path, answering);
        using var client = second.CreateClient();
        var listed = await client.GetFromJsonAsync<JsonElement>("/jobs");
        var done = await client.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");

        Assert.Contains(listed.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
        Assert.Equal("finished", done.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal(["a", "b", "c"], done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetString()));
        Assert.True(File.Exists(data.Database));
    }

    [Fact]
    public async Task AnEndedJob_IsDeletedAfterItsRetention_OnTheServersClock()
    {
        using var data = new DataFolder();
        var clock = new ManualTimeProvider();
        await using var server = new JobServer(data.Path, new Dictionary<string, string> { ["Server:JobRetention"] = "01:00:00" }, clock);
        using var http = server.CreateClient();
        var id = await SubmitAsync(http, "word-count", new[] { "a b" });
        await http.GetAsync($"/jobs/{id}/results?wait=60");

        clock.Advance(TimeSpan.FromMinutes(59));
        using var kept = await http.GetAsync($"/jobs/{id}");
        clock.Advance(TimeSpan.FromMinutes(2));
        using var expired = await http.GetAsync($"/jobs/{id}");
        var listed = await http.GetFromJsonAsync<JsonElement>("/jobs");

        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        Assert.DoesNotContain(listed.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task DeletingAnEndedJob_DeletesItsEvents()
    {
        using var data = new DataFolder();
        string deletedId, keptId;
        HttpStatusCode deleted, gone;
        await using (var server = new JobServer(data.Path))
        {
            using var http = server.CreateClient();
            deletedId = await SubmitAsync(http, "counting", Enumerable.Range(0, 10).ToArray());
            keptId = await SubmitAsync(http, "counting", Enumerable.Range(0, 10).ToArray());
            await http.GetAsync($"/jobs/{deletedId}/results?wait=60");
            await http.GetAsync($"/jobs/{keptId}/results?wait=60");

            using var delete = await http.DeleteAsync($"/jobs/{deletedId}");
            using var get = await http.GetAsync($"/jobs/{deletedId}");
            (deleted, gone) = (delete.StatusCode, get.StatusCode);
        } // the journal is read once the server has stopped

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound), (deleted, gone));
        Assert.Equal(0, JournalRows(data.Database, deletedId));
        Assert.Equal(4, JournalRows(data.Database, keptId)); // submitted, started, one chunk, ended
    }

    [Fact]
    public async Task AFastModelsJob_GrowsItsChunks_AndWritesFewerEvents()
    {
        using var data = new DataFolder();
        var growing = new Dictionary<string, string> { ["Server:Jobs:ChunkSize"] = "10", ["Server:Jobs:MaxChunkSize"] = "160", ["Server:Jobs:ChunkTime"] = "00:10:00" };
        string id;
        JsonElement done;
        await using (var server = new JobServer(data.Path, growing))
        {
            using var http = server.CreateClient();
            id = await SubmitAsync(http, "counting", Enumerable.Range(0, 2000).ToArray());
            done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");
        }

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => i * 2), done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32()));
        // Chunks of 10 would be 200 events; doubling to 160, at most 4 chunks of each size below it come back before
        // the size doubles: well under 40.
        Assert.InRange(JournalRows(data.Database, id) - 2, 2000 / 160, 40);
    }

    [Fact]
    public async Task ATensorJobsChunk_TakesAtMostHalfItsModelsQueue()
    {
        // Each item of a tensor job is a request of its own (a place in the model's queue): chunks of the default 128
        // would overflow a queue of 8 and be refused; chunks of 4 (half of it) are not.
        using var data = new DataFolder();
        string id;
        JsonElement done;
        await using (var server = new JobServer(data.Path, new Dictionary<string, string> { ["ModelActors:Models:tensor-echo:QueueCapacity"] = "8" }))
        {
            using var http = server.CreateClient();
            var request = new { inputs = new[] { new { name = "x", shape = new[] { 12 }, datatype = "INT32", data = Enumerable.Range(0, 12).ToArray() } } };
            id = await SubmitAsync(http, "tensor-echo", request);
            done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");
        }

        Assert.Equal(("finished", 12, 0), (done.GetProperty("job").GetProperty("status").GetString(), done.GetProperty("job").GetProperty("succeeded").GetInt32(), done.GetProperty("job").GetProperty("failed").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 12), done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetProperty("outputs")[0].GetProperty("data")[0].GetInt32()));
        Assert.Equal(2 + 3 + 1, JournalRows(data.Database, id)); // submitted, started, three chunks of 4, ended
    }

    /// <summary>Settings for a model <c>slow</c> that takes 100 ms an item, with its timeout, and the job's first chunk size.</summary>
    private static Dictionary<string, string> SlowModel(string timeout, int chunkSize) => new()
    {
        ["ModelActors:Models:slow:Type"] = typeof(CountingModel).FullName!,
        ["ModelActors:Models:slow:Settings:DelayMs"] = "100",
        ["ModelActors:Models:slow:Timeout"] = timeout,
        ["Server:Jobs:ChunkSize"] = chunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task AChunkTooLongForTheModelsTimeout_RunsAgainInSmallerCalls_AndNoItemFails()
    {
        // 100 ms an item, one at a time, 1 s timeout: a call of 32 items (3.2 s) times out, and item by item they would
        // queue behind each other and time out too. Halving the calls until they fit answers every item.
        using var data = new DataFolder();
        var settings = SlowModel(timeout: "00:00:01", chunkSize: 32);
        settings["ModelActors:Models:slow:MaxBatchSize"] = "1";
        await using var server = new JobServer(data.Path, settings);
        using var http = server.CreateClient();

        var id = await SubmitAsync(http, "slow", Enumerable.Range(1000, 32).ToArray());
        var done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");

        Assert.Equal(("finished", 32, 0), (done.GetProperty("job").GetProperty("status").GetString(), done.GetProperty("job").GetProperty("succeeded").GetInt32(), done.GetProperty("job").GetProperty("failed").GetInt32()));
        Assert.Equal(Enumerable.Range(1000, 32).Select(i => i * 2), done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32()));
    }

    [Fact]
    public async Task ItemsTooSlowForTheModelsTimeoutEvenAlone_FailWithTheTimeout_AndTheJobEnds()
    {
        // 100 ms an item against a 50 ms timeout: smaller calls, then fewer at once, and each item that then times out
        // alone fails naming the timeout.
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path, SlowModel(timeout: "00:00:00.050", chunkSize: 4));
        using var http = server.CreateClient();

        var id = await SubmitAsync(http, "slow", new[] { 1, 2, 3, 4 });
        var done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");

        Assert.Equal(("finished", 0, 4), (done.GetProperty("job").GetProperty("status").GetString(), done.GetProperty("job").GetProperty("succeeded").GetInt32(), done.GetProperty("job").GetProperty("failed").GetInt32()));
        Assert.All(done.GetProperty("results").EnumerateArray(), r => Assert.Contains("did not answer within 50 ms", r.GetProperty("error").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJob_WritesOneEventPerChunk_NotPerItem()
    {
        using var data = new DataFolder();
        string id;
        JsonElement done;
        await using (var server = new JobServer(data.Path, new Dictionary<string, string> { ["Server:Jobs:ChunkSize"] = "50", ["Server:Jobs:MaxChunkSize"] = "50" }))
        {
            using var http = server.CreateClient();
            id = await SubmitAsync(http, "counting", Enumerable.Range(0, 200).ToArray());
            done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");
        }

        Assert.Equal(200, done.GetProperty("job").GetProperty("succeeded").GetInt32());
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i * 2), done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32()));
        Assert.Equal(2 + 4 + 1, JournalRows(data.Database, id)); // submitted, started, four chunks, ended
    }

    [Fact]
    public async Task AnEndedJob_StoppedWhenIdle_AnswersEveryRequestMadeWhileItStops()
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path, new Dictionary<string, string> { ["Server:Jobs:IdleAfter"] = "00:00:00.001" });
        using var http = server.CreateClient();
        var id = await SubmitAsync(http, "counting", new[] { 1, 2, 3 });
        await http.GetAsync($"/jobs/{id}/results?wait=60");

        // Its actor stops within a millisecond of each answer and is recovered for the next: requests race those stops.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => http.GetStringAsync($"/jobs/{id}/results")));

        Assert.All(answers, a => Assert.Contains("\"results\":[{\"index\":0,\"result\":2},{\"index\":1,\"result\":4},{\"index\":2,\"result\":6}]", a, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SeveralJobsOnAModelWithASmallQueue_AllFinish_WithoutAFailedItem()
    {
        using var data = new DataFolder();
        var settings = new Dictionary<string, string> { ["Server:Jobs:ChunkSize"] = "4", ["ModelActors:Models:counting:QueueCapacity"] = "8" };
        await using var server = new JobServer(data.Path, settings);
        using var http = server.CreateClient();

        var ids = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SubmitAsync(http, "counting", Enumerable.Range(0, 60).ToArray())));
        var done = await Task.WhenAll(ids.Select(id => http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60")));

        Assert.All(done, d => Assert.Equal(("finished", 60, 0), (d.GetProperty("job").GetProperty("status").GetString(), d.GetProperty("job").GetProperty("succeeded").GetInt32(), d.GetProperty("job").GetProperty("failed").GetInt32())));
        Assert.All(done, d => Assert.Equal(Enumerable.Range(0, 60).Select(i => i * 2), d.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32())));
    }

    [Fact]
    public async Task AnItemRefusedForAReasonNotItsOwn_RunsAgain_AndIsNeverRecordedAsFailed()
    {
        using var data = new DataFolder();
        var settings = new Dictionary<string, string> { ["Server:Jobs:ChunkSize"] = "2", ["Server:Jobs:MaxChunkSize"] = "2", ["ModelActors:Models:refusing:Type"] = typeof(RefusingOnceModel).FullName! };
        await using var server = new JobServer(data.Path, settings);
        using var http = server.CreateClient();

        var id = await SubmitAsync(http, "refusing", Enumerable.Range(0, 12).ToArray());
        var done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");

        Assert.Equal(("finished", 12, 0), (done.GetProperty("job").GetProperty("status").GetString(), done.GetProperty("job").GetProperty("succeeded").GetInt32(), done.GetProperty("job").GetProperty("failed").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * 2), done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32()));
        Assert.Equal(2, RefusingOnceModel.Calls[3]); // refused, then answered
        Assert.InRange(RefusingOnceModel.Calls[2], 1, 2); // its chunk ([2, 3], one batch call) was refused as a whole and ran again
        // Every item of the other chunks ran once: those before it, and those of the chunks that ran beside it (their
        // answers wait for item 3's chunk to run again instead of being dropped and run again).
        Assert.Equal(Enumerable.Repeat(1, 10), Enumerable.Range(0, 12).Where(i => i is not (2 or 3)).Select(i => RefusingOnceModel.Calls[i]));
    }

    [Fact]
    public async Task AJobRecoveredFromItsSnapshot_ShowsTheSameResultsAndEvents()
    {
        using var data = new DataFolder();
        var settings = new Dictionary<string, string> { ["Server:Jobs:ChunkSize"] = "2", ["Server:Jobs:ChunksInFlight"] = "1", ["Server:Jobs:SnapshotEvery"] = "3" };
        string id, results, events;
        await using (var first = new JobServer(data.Path, settings))
        {
            using var http = first.CreateClient();
            id = await SubmitAsync(http, "counting", Enumerable.Range(0, 9).ToArray());
            results = await http.GetStringAsync($"/jobs/{id}/results?wait=60");
            events = await http.GetStringAsync($"/jobs/{id}/events?items=true");
        }

        var snapshots = SnapshotRows(data.Database, id); // read while no server runs
        string recovered, replayed;
        await using (var second = new JobServer(data.Path, settings))
        {
            using var client = second.CreateClient();
            recovered = await client.GetStringAsync($"/jobs/{id}/results");
            replayed = await client.GetStringAsync($"/jobs/{id}/events?items=true");
        }

        Assert.True(snapshots > 0, "no snapshot was saved");
        Assert.Equal(results, recovered);
        Assert.Equal(events, replayed);
        Assert.Contains("\"done\":9", replayed, StringComparison.Ordinal);
    }

    private static long SnapshotRows(string database, string id)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM snapshot WHERE persistence_id = $id";
        command.Parameters.AddWithValue("$id", "job-" + id);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>How many journal rows job <paramref name="id"/> has that are not marked deleted.</summary>
    internal static long JournalRows(string database, string id)
    {
        Assert.True(File.Exists(database), $"no {database}");
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id AND deleted = 0";
        command.Parameters.AddWithValue("$id", "job-" + id);
        return (long)command.ExecuteScalar()!;
    }
}
