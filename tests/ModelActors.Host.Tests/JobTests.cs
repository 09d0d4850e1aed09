using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ModelActors.Host.Tests;

/// <summary>Asynchronous jobs: submit, progress, results in order with per-item errors, cancellation, limits, errors.</summary>
[Collection(nameof(JobHoldModel))] // the held model's signals are static: its tests run one at a time
public sealed class JobTests(JobTests.Server server) : IClassFixture<JobTests.Server>
{
    private readonly HttpClient _http = server.CreateClient();

    private async Task<JsonElement> SubmitAsync(string model, string body, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        using var response = await _http.PostAsync($"/jobs/{model}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {json}");
        if (expected == HttpStatusCode.Accepted)
        {
            Assert.Equal($"/jobs/{json.GetProperty("id").GetString()}", response.Headers.Location?.ToString());
        }

        return json;
    }

    private Task<JsonElement> ResultsAsync(string id) => _http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");

    [Fact]
    public async Task AJob_RunsInTheBackground_AndAnswersEveryItemInOrder()
    {
        var submitted = await SubmitAsync("word-count", """["a b", "c", "", "d e f"]""");
        var id = submitted.GetProperty("id").GetString()!;

        var done = await ResultsAsync(id);
        var listed = await _http.GetFromJsonAsync<JsonElement>("/jobs");

        Assert.Equal(4, submitted.GetProperty("total").GetInt32());
        Assert.Equal("finished", done.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal((4, 0, 1.0), (done.GetProperty("job").GetProperty("succeeded").GetInt32(), done.GetProperty("job").GetProperty("failed").GetInt32(), done.GetProperty("job").GetProperty("progress").GetDouble()));
        Assert.Equal([2, 1, 0, 3], done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32()));
        Assert.Equal([0, 1, 2, 3], done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        Assert.Contains(listed.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task ManyItems_RunChunkByChunk_ToTheEnd()
    {
        var items = JsonSerializer.Serialize(Enumerable.Range(0, 300).Select(i => string.Join(' ', Enumerable.Repeat("w", i % 7))));

        var done = await ResultsAsync((await SubmitAsync("word-count", items)).GetProperty("id").GetString()!);

        Assert.Equal(300, done.GetProperty("job").GetProperty("succeeded").GetInt32());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i % 7), done.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32()));
    }

    [Fact]
    public async Task AFailingItem_FailsAlone_WithAMessageNamingTheModel()
    {
        var done = await ResultsAsync((await SubmitAsync("picky", """["x", "boom", "y"]""")).GetProperty("id").GetString()!);

        var results = done.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("finished", done.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal((2, 1), (done.GetProperty("job").GetProperty("succeeded").GetInt32(), done.GetProperty("job").GetProperty("failed").GetInt32()));
        Assert.Equal("X", results[0].GetProperty("result").GetString());
        Assert.Contains("Model 'picky' failed: cannot take 'boom'", results[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("Y", results[2].GetProperty("result").GetString());
    }

    [Fact]
    public async Task Deleting_ARunningJob_CancelsItsModelCalls_ThenDeletingItAgainForgetsIt()
    {
        JobHoldModel.Reset();
        var id = (await SubmitAsync("held", """["a", "b"]""")).GetProperty("id").GetString()!;
        await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        using var cancel = await _http.DeleteAsync($"/jobs/{id}");
        var ended = await ResultsAsync(id);
        await JobHoldModel.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var forget = await _http.DeleteAsync($"/jobs/{id}");
        using var gone = await _http.GetAsync($"/jobs/{id}");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", ended.GetProperty("job").GetProperty("status").GetString());
        Assert.Equal("cancelled by its client", ended.GetProperty("job").GetProperty("cancel_reason").GetString());
        Assert.Empty(ended.GetProperty("results").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, forget.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("nope", "[\"a\"]", HttpStatusCode.NotFound, "No model named 'nope'")]
    [InlineData("tensor-echo", "[{}]", HttpStatusCode.BadRequest, "Item 0 of the job: ")]
    [InlineData("tensor-echo", "[3]", HttpStatusCode.BadRequest, "Model 'tensor-echo': item 0 of the job is not a v2 inference request")]
    [InlineData("word-count", "[\"a\", 3]", HttpStatusCode.BadRequest, "Model 'word-count': item 1 of the job is not a String")]
    [InlineData("word-count", "[\"a\", null]", HttpStatusCode.BadRequest, "Model 'word-count': item 1 of the job is null; the model takes String items.")]
    [InlineData("word-count", "\"a\"", HttpStatusCode.BadRequest, "Model 'word-count': a job takes a JSON array of String items; the body is not one")]
    [InlineData("word-count", "[]", HttpStatusCode.BadRequest, "Model 'word-count': a job takes a JSON array of String items, and the body has none.")]
    [InlineData("word-count", "", HttpStatusCode.BadRequest, "the body has none")]
    [InlineData("word-count", "{\"a\": 1}", HttpStatusCode.BadRequest, "the body is not one: it is a JSON object")]
    public async Task BadSubmissions_AreRefused_NamingWhatWasWrong(string model, string body, HttpStatusCode status, string message)
    {
        var error = await SubmitAsync(model, body, status);

        Assert.Contains(message, error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownJob_Is404()
    {
        using var job = await _http.GetAsync("/jobs/0123");
        using var results = await _http.GetAsync("/jobs/0123/results");
        using var delete = await _http.DeleteAsync("/jobs/0123");

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], new[] { job.StatusCode, results.StatusCode, delete.StatusCode });
        Assert.Contains("No job '0123'", await job.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The default configuration plus <c>picky</c> (fails on "boom") and <c>held</c> (<see cref="JobHoldModel"/>), on TestServer, its jobs in SQLite in a folder of its own.</summary>
    public sealed class Server : WebApplicationFactory<Program>
    {
        private readonly DataFolder _data = new();

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            _data.Dispose();
        }

        /// <inheritdoc />
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Server:Jobs:Store", "sqlite");
            builder.UseSetting("Server:DataDirectory", _data.Path);
            builder.UseSetting("ModelActors:Models:picky:Type", typeof(PickyModel).FullName);
            builder.UseSetting("ModelActors:Models:held:Type", typeof(JobHoldModel).FullName);
        }
    }
}

/// <summary>When every kept job is running, a new one is refused; an ended one makes room.</summary>
[Collection(nameof(JobHoldModel))]
public sealed class JobLimitTests(JobLimitTests.Server server) : IClassFixture<JobLimitTests.Server>
{
    [Fact]
    public async Task AFullStore_Refuses429_UntilAJobEnds()
    {
        JobHoldModel.Reset();
        using var http = server.CreateClient();
        using var first = await http.PostAsJsonAsync("/jobs/held", new[] { "a" });
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await JobHoldModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        using var refused = await http.PostAsJsonAsync("/jobs/word-count", new[] { "a" });
        using var cancel = await http.DeleteAsync($"/jobs/{id}");
        await http.GetAsync($"/jobs/{id}/results?wait=60");
        using var accepted = await http.PostAsJsonAsync("/jobs/word-count", new[] { "a" });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
        Assert.Contains("Server:MaxJobs", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    /// <summary>One job at most, and the <c>held</c> model.</summary>
    public sealed class Server : WebApplicationFactory<Program>
    {
        /// <inheritdoc />
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Server:MaxJobs", "1");
            builder.UseSetting("ModelActors:Models:held:Type", typeof(JobHoldModel).FullName);
        }
    }
}
