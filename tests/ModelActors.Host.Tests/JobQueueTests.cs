using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>
/// At most <c>Server:Jobs:MaxRunning</c> jobs run at once: the others are kept (202) as <c>queued</c> and run, oldest
/// first, as running ones end — also after a restart, when the unfinished jobs resume.
/// </summary>
[Collection(nameof(JobHoldModel))] // the held model's signals are static: its tests run one at a time
public sealed class JobQueueTests : IDisposable
{
    private static readonly Dictionary<string, string> OneAtATime = new() { ["Server:Jobs:MaxRunning"] = "1" };

    private readonly DataFolder _data = new();

    public void Dispose() => _data.Dispose();

    private static async Task<string> SubmitAsync(HttpClient http, string model, object items, string status)
    {
        using var response = await http.PostAsJsonAsync($"/jobs/{model}", items);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.Accepted, status), (response.StatusCode, job.GetProperty("status").GetString()));
        return job.GetProperty("id").GetString()!;
    }

    /// <summary>A job held running on the <c>held</c> model, then a job of <paramref name="items"/> on <c>counting</c> that waits for it.</summary>
    private static async Task<(string Held, string Waiting)> HeldThenQueuedAsync(HttpClient http, int[] items)
    {
        JobHoldModel.Reset();
        var held = await SubmitAsync(http, "held", new[] { "a" }, "running");
        await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (held, await SubmitAsync(http, "counting", items, "queued"));
    }

    private static async Task<string> StatusAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}")).GetProperty("status").GetString()!;

    /// <summary>When the job began to run, as its route shows it (null while queued).</summary>
    private static async Task<DateTimeOffset?> StartedAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}")).GetProperty("started") is { ValueKind: JsonValueKind.String } started ? started.GetDateTimeOffset() : null;

    [Fact]
    public async Task AJobBeyondMaxRunning_IsQueued_ThenRunsWhenTheRunningOneEnds()
    {
        await using var server = new JobServer(_data.Path, OneAtATime);
        using var http = server.CreateClient();

        var (held, waiting) = await HeldThenQueuedAsync(http, [1, 2]);
        var listed = await http.GetFromJsonAsync<JsonElement>("/jobs");
        var queuedStatus = await StatusAsync(http, waiting);
        var queuedStarted = await StartedAsync(http, waiting);

        using var cancelled = await http.DeleteAsync($"/jobs/{held}");
        var done = await http.GetFromJsonAsync<JsonElement>($"/jobs/{waiting}/results?wait=60");
        var job = done.GetProperty("job");

        Assert.Equal("queued", queuedStatus);
        Assert.Null(queuedStarted);
        Assert.Contains(listed.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == waiting && j.GetProperty("status").GetString() == "queued" && j.GetProperty("started").ValueKind == JsonValueKind.Null);
        Assert.InRange(job.GetProperty("started").GetDateTimeOffset(), job.GetProperty("created").GetDateTimeOffset(), job.GetProperty("ended").GetDateTimeOffset());
        Assert.True(job.GetProperty("started").GetDateTimeOffset() >= (await http.GetFromJsonAsync<JsonElement>($"/jobs/{held}")).GetProperty("ended").GetDateTimeOffset(), "the queued job began to run only when the held one ended");
        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        Assert.Equal("finished", done.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal([2, 4], done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32()));
    }

    [Fact]
    public async Task AQueuedJob_CanBeCancelled_AndNeverRuns()
    {
        await using var server = new JobServer(_data.Path, OneAtATime);
        using var http = server.CreateClient();

        var (held, waiting) = await HeldThenQueuedAsync(http, [7]);
        using var cancelled = await http.DeleteAsync($"/jobs/{waiting}");
        var view = await http.GetFromJsonAsync<JsonElement>($"/jobs/{waiting}/results?wait=60");
        using var _ = await http.DeleteAsync($"/jobs/{held}");

        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        Assert.Equal(("cancelled", 0), (view.GetProperty("job").GetProperty("status").GetString(), view.GetProperty("results").GetArrayLength()));
        Assert.Equal(JsonValueKind.Null, view.GetProperty("job").GetProperty("started").ValueKind); // it never ran
    }

    [Fact]
    public async Task AfterARestart_UnfinishedJobsResume_OneAtATime_OldestFirst()
    {
        JobHoldModel.Reset();
        string held, waiting;
        DateTimeOffset? heldStarted;
        await using (var first = new JobServer(_data.Path, OneAtATime))
        {
            using var http = first.CreateClient();
            held = await SubmitAsync(http, "held", new[] { "a" }, "running");
            await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            heldStarted = await StartedAsync(http, held);
            waiting = await SubmitAsync(http, "counting", new[] { 3 }, "queued");
        } // stopped: the held call is cancelled, both jobs stay unfinished

        JobHoldModel.Reset();
        await using var second = new JobServer(_data.Path, OneAtATime);
        using var client = second.CreateClient();
        _ = await StatusAsync(client, held); // the manager has recovered
        await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60)); // the oldest runs again...
        var stillQueued = await StatusAsync(client, waiting); // ...and the other waits for it
        var heldStartedAgain = await StartedAsync(client, held);
        using var cancelled = await client.DeleteAsync($"/jobs/{held}");
        var done = await client.GetFromJsonAsync<JsonElement>($"/jobs/{waiting}/results?wait=60");

        Assert.Equal("queued", stillQueued);
        Assert.NotNull(heldStarted);
        Assert.Equal(heldStarted, heldStartedAgain); // when it first began to run, from the journal, not the resumption
        Assert.Equal(("finished", 6), (done.GetProperty("job").GetProperty("status").GetString(), done.GetProperty("results")[0].GetProperty("result").GetInt32()));
    }
}
