using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary><c>GET /jobs/{id}/events</c>: the job's journal as Server-Sent Events, resumable with <c>Last-Event-ID</c>, live while it runs.</summary>
[Collection(nameof(JobHoldModel))]
public sealed class JobWatchTests
{
    private static readonly Dictionary<string, string> ChunksOfTwo = new() { ["Server:Jobs:ChunkSize"] = "2" };

    /// <summary>One Server-Sent Event: its name, id (null when it has none) and data.</summary>
    internal sealed record Sse(string Name, long? Id, JsonElement Data);

    /// <summary>Reads Server-Sent Events from <paramref name="response"/> until the stream ends.</summary>
    internal static async IAsyncEnumerable<Sse> ReadEvents(HttpResponseMessage response)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null, data = null;
        long? id = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null && data is not null)
                {
                    yield return new Sse(name, id, JsonDocument.Parse(data).RootElement.Clone());
                }

                (name, data, id) = (null, null, null);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }
    }

    private static async Task<List<Sse>> EventsAsync(HttpClient http, string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<Sse>();
        await foreach (var sse in ReadEvents(response))
        {
            events.Add(sse);
        }

        return events;
    }

    private static async Task<string> SubmitAsync(HttpClient http, string model, object items)
    {
        using var response = await http.PostAsJsonAsync($"/jobs/{model}", items);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task AnEndedJobsEvents_AreItsJournal_AndLastEventIdGivesExactlyWhatFollows()
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path, ChunksOfTwo);
        using var http = server.CreateClient();
        var id = await SubmitAsync(http, "counting", new[] { 1, 2, 3, 4, 5 });
        await http.GetAsync($"/jobs/{id}/results?wait=60");

        var all = await EventsAsync(http, $"/jobs/{id}/events");
        var rest = await EventsAsync(http, $"/jobs/{id}/events", lastEventId: "4");
        var withItems = await EventsAsync(http, $"/jobs/{id}/events?items=true");

        Assert.Equal(["progress", "progress", "progress", "progress", "finished"], all.Select(e => e.Name));
        Assert.Equal([1L, 3, 4, 5, 6], all.Select(e => e.Id!.Value)); // the journal's: 2 is when the job began to run
        Assert.Equal([0, 2, 4, 5], all.Take(4).Select(e => e.Data.GetProperty("done").GetInt32()));
        Assert.Equal("finished", all[^1].Data.GetProperty("status").GetString());
        Assert.Equal([5L, 6], rest.Select(e => e.Id!.Value));
        Assert.Equal([2, 4, 6, 8, 10], withItems.Where(e => e.Name == "item").Select(e => e.Data.GetProperty("result").GetInt32()));
        Assert.Equal(["progress", "item", "item", "progress"], withItems.Take(4).Select(e => e.Name));
    }

    [Fact]
    public async Task AWatchFallenBehindItsBuffer_IsLetGo_AndResumesWithLastEventId_WithoutLosingAnItem()
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path, new Dictionary<string, string> { ["Server:Jobs:ChunkSize"] = "1000" });
        using var http = server.CreateClient();
        const int Items = 6000; // more item events than a watcher may have unread (JobService.WatchBuffer)
        var id = await SubmitAsync(http, "counting", Enumerable.Range(0, Items).ToArray());
        await http.GetAsync($"/jobs/{id}/results?wait=60");

        var results = new Dictionary<int, int>();
        string? last = null;
        var ended = false;
        for (var connection = 0; connection < 20 && !ended; connection++)
        {
            foreach (var sse in await EventsAsync(http, $"/jobs/{id}/events?items=true", last))
            {
                if (sse.Name == "item")
                {
                    results[sse.Data.GetProperty("index").GetInt32()] = sse.Data.GetProperty("result").GetInt32();
                }

                last = sse.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? last;
                ended |= sse.Name == "finished";
            }
        }

        Assert.True(ended, "the watch never reached the end");
        Assert.Equal(Enumerable.Range(0, Items).Select(i => i * 2), Enumerable.Range(0, Items).Select(i => results[i]));
    }

    [Fact]
    public async Task ARunningJobsEvents_ArriveLive_AndEndWithItsCancellation()
    {
        JobHoldModel.Reset();
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path);
        using var http = server.CreateClient();
        var id = await SubmitAsync(http, "held", new[] { "a" });
        using var response = await http.GetAsync($"/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        await using var events = ReadEvents(response).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var first = events.Current;
        await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        using var cancel = await http.DeleteAsync($"/jobs/{id}");
        Assert.True(await events.MoveNextAsync());
        var last = events.Current;

        Assert.Equal(("progress", 0), (first.Name, first.Data.GetProperty("done").GetInt32()));
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", last.Name);
        Assert.Equal("cancelled by its client", last.Data.GetProperty("cancel_reason").GetString());
        Assert.False(await events.MoveNextAsync());
    }

    [Fact]
    public async Task BadWatches_AreRefused_NamingWhatWasWrong()
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path);
        using var http = server.CreateClient();
        var id = await SubmitAsync(http, "counting", new[] { 1 });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/events");
        request.Headers.Add("Last-Event-ID", "yesterday");

        await http.GetAsync($"/jobs/{id}/results?wait=60"); // ended: submitted, started, one chunk, finished
        using var past = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/events");
        past.Headers.Add("Last-Event-ID", "99");
        using var last = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{id}/events");
        last.Headers.Add("Last-Event-ID", "4");

        using var badId = await http.SendAsync(request);
        using var pastId = await http.SendAsync(past);
        using var lastId = await http.SendAsync(last);
        using var unknown = await http.GetAsync("/jobs/nope/events");

        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Contains("Last-Event-ID is 'yesterday'", await badId.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, pastId.StatusCode);
        Assert.Contains("Last-Event-ID 99 is past its last event (4)", await pastId.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, ""), (lastId.StatusCode, await lastId.Content.ReadAsStringAsync())); // all seen: nothing follows
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task OneV2Request_IsSplitAlongItsFirstAxis_IntoOneItemPerRow()
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path);
        using var http = server.CreateClient();
        var body = """{"id": "batch", "inputs": [{"name": "x", "shape": [3, 2], "datatype": "INT32", "data": [[1, 2], [3, 4], [5, 6]]}, {"name": "s", "shape": [3], "datatype": "BYTES", "data": ["a", "b", "c"]}]}""";
        using var submitted = await http.PostAsync("/jobs/tensor-echo", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var job = await submitted.Content.ReadFromJsonAsync<JsonElement>();

        var done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{job.GetProperty("id").GetString()}/results?wait=60");

        var results = done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result")).ToList();
        Assert.Equal(3, job.GetProperty("total").GetInt32());
        Assert.Equal(["batch-0", "batch-1", "batch-2"], results.Select(r => r.GetProperty("id").GetString()));
        var x = results.Select(r => r.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "x")).ToList();
        Assert.All(x, o => Assert.Equal([1, 2], o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())));
        Assert.Equal([3, 4], x[1].GetProperty("data").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal("c", results[2].GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "s").GetProperty("data")[0].GetString());
    }

    [Theory]
    [InlineData("""{"inputs": [{"name": "x", "shape": [2], "datatype": "INT32", "data": [1, 2]}, {"name": "y", "shape": [3], "datatype": "INT32", "data": [1, 2, 3]}]}""", "input 'y' has 3 rows along its first axis and another input 2")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [], "datatype": "INT32", "data": [1]}]}""", "input 'x' is a scalar")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [0, 2], "datatype": "INT32", "data": []}]}""", "has no rows to split")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [2], "datatype": "INT32", "data": [1]}]}""", "The job's request: ")]
    public async Task ARequestThatCannotBeSplit_IsRefused_NamingWhy(string body, string message)
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path);
        using var http = server.CreateClient();

        using var refused = await http.PostAsync("/jobs/tensor-echo", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(message, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATensorJob_RunsEachV2Request_AndKeepsEachAnswerAsAV2Response()
    {
        using var data = new DataFolder();
        await using var server = new JobServer(data.Path);
        using var http = server.CreateClient();
        var body = """
            [{"id": "first", "inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": [1, 2]}]},
             {"inputs": [{"name": "x", "shape": [1], "datatype": "INT64", "data": [7]}]}]
            """;
        using var submitted = await http.PostAsync("/jobs/tensor-echo", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");

        var results = done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result")).ToList();
        Assert.Equal("tensor", done.GetProperty("job").GetProperty("kind").GetString());
        Assert.Equal("first", results[0].GetProperty("id").GetString());
        Assert.Equal([1f, 2f], results[0].GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(7, results[1].GetProperty("outputs")[0].GetProperty("data")[0].GetInt64());
    }
}
