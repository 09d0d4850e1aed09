using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

/// <summary>
/// Jobs on a model that cannot load: refused at submit (503, as its requests) when it has failed already; when its load
/// fails while the job runs, every item fails with the load error and the job ends (before, each chunk ran again a
/// second later, set off another full load, and the job never ended).
/// </summary>
public sealed class JobFailedModelTests : IDisposable
{
    private readonly DataFolder _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AJob_OnAModelThatFailedToLoad_Is503NamingTheLoadError()
    {
        GatedBrokenModel.Reset(open: true);
        await using var server = new Server(_data.Path);
        await server.ModelsLoadedAsync();
        using var http = server.CreateClient();

        using var refused = await http.PostAsync(new Uri("/jobs/gated", UriKind.Relative), new StringContent("[\"x\"]", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var error = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.StartsWith("Model 'gated' failed to load: ", error, StringComparison.Ordinal);
        Assert.Contains("weights.bin is missing", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJob_WhoseModelFailsToLoadWhileItRuns_FailsEveryItemWithTheLoadError_AndEnds()
    {
        GatedBrokenModel.Reset(open: false);
        await using var server = new Server(_data.Path);
        using var http = server.CreateClient();

        using var accepted = await http.PostAsync(new Uri("/jobs/gated", UriKind.Relative), new StringContent("[\"a\", \"b\", \"c\"]", Encoding.UTF8, "application/json"));
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        GatedBrokenModel.Gate.TrySetResult(); // the load under way now fails
        var ended = await http.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.DoesNotContain(ended.GetProperty("job").GetProperty("status").GetString(), new[] { "running", "queued" });
        Assert.Equal((0, 3), (ended.GetProperty("job").GetProperty("succeeded").GetInt32(), ended.GetProperty("job").GetProperty("failed").GetInt32()));
        Assert.All(ended.GetProperty("results").EnumerateArray(), r => Assert.Contains("weights.bin is missing", r.GetProperty("error").GetString(), StringComparison.Ordinal));
    }

    private sealed class Server(string data) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Server:Jobs:Store", "sqlite");
            builder.UseSetting("Server:DataDirectory", data);
            builder.UseSetting("Server:LameDuck", "00:00:00");
            builder.UseSetting("ModelActors:Models:gated:Type", typeof(GatedBrokenModel).FullName);
            builder.UseSetting("ModelActors:Models:gated:LoadRetries", "0");
        }
    }
}

/// <summary>A model whose load waits for <see cref="Gate"/>, then fails naming why.</summary>
public sealed class GatedBrokenModel : AsyncModel<string, string>
{
    /// <summary>Released: loads go on (and fail).</summary>
    public static TaskCompletionSource Gate { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A new gate, open or closed.</summary>
    public static void Reset(bool open)
    {
        Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            Gate.TrySetResult();
        }
    }

    /// <inheritdoc />
    protected override async ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        await Gate.Task.WaitAsync(cancellationToken);
        throw new FileNotFoundException("weights.bin is missing");
    }

    /// <inheritdoc />
    protected override ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken) => ValueTask.FromResult(item);
}
