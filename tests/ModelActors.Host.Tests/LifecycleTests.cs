using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>Readiness, a model that fails to load while the others serve, and a graceful stop under load.</summary>
[Collection(nameof(HoldModel))] // HoldModel's signals are static: its tests run one at a time
public sealed class LifecycleTests
{
    [Fact]
    public async Task AModelThatFailsToLoad_Answers503_WhileTheOthersServe_AndTheServerIsReadyWithoutIt()
    {
        using var server = new LifecycleServer();
        await server.ModelsLoadedAsync();
        using var client = server.CreateClient();

        var brokenReady = await client.GetAsync(new Uri("/v2/models/broken/ready", UriKind.Relative));
        var brokenCall = await client.PostAsync(new Uri("/models/broken/predict", UriKind.Relative), Json("\"x\""));
        var echoCall = await client.PostAsync(new Uri("/models/echo/predict", UriKind.Relative), Json("\"x\""));
        var serverReady = await client.GetAsync(new Uri("/v2/health/ready", UriKind.Relative));
        var metadataResponse = await client.GetAsync(new Uri("/v2/models/broken", UriKind.Relative));
        var metadata = await metadataResponse.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, brokenReady.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, brokenCall.StatusCode);
        var brokenError = await brokenCall.Content.ReadAsStringAsync();
        Assert.Contains("weights.bin is missing", brokenError, StringComparison.Ordinal);
        Assert.Contains("tries it again in the background", brokenError, StringComparison.Ordinal); // answered at once, without a load
        Assert.Equal(HttpStatusCode.OK, echoCall.StatusCode);
        Assert.Equal(HttpStatusCode.OK, serverReady.StatusCode); // only echo is required
        Assert.Equal(HttpStatusCode.ServiceUnavailable, metadataResponse.StatusCode); // its metadata too, with its state and the load error
        Assert.Equal("Failed", metadata.GetProperty("state").GetString());
        Assert.Contains("weights.bin is missing", metadata.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelThatFailedToLoad_IsTriedAgainInTheBackground_AndServesOnceItLoads()
    {
        FlakyModel.Reset(failures: 2);
        using var server = new RetryingServer();
        using var client = server.CreateClient();

        await FlakyModel.Loaded.Task.WaitAsync(TimeSpan.FromSeconds(60)); // the third load: two background retries after the first
        var answer = await client.PostAsync(new Uri("/models/flaky/predict", UriKind.Relative), Json("\"back\""));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("back", await answer.Content.ReadFromJsonAsync<string>());
    }

    [Fact]
    public async Task StoppingUnderLoad_TurnsReadyFalseAtOnce_AndAnswersEveryRequestInFlight()
    {
        const int InFlight = 20;
        HoldModel.Reset(InFlight);
        using var server = new LifecycleServer();
        using var client = server.CreateClient();
        var lifetime = server.Services.GetRequiredService<IHostApplicationLifetime>();
        var readiness = server.Services.GetRequiredService<ServerReadiness>();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStopped.Register(() => stopped.TrySetResult());

        var requests = Enumerable.Range(0, InFlight)
            .Select(i => client.PostAsync(new Uri("/models/hold/predict", UriKind.Relative), Json($"\"r{i}\"")))
            .ToArray();
        await HoldModel.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        lifetime.StopApplication();
        var readyWhileStopping = readiness.IsReady;
        HoldModel.Release.TrySetResult();
        var responses = await Task.WhenAll(requests);
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.False(readyWhileStopping);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var answers = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<string>()));
        Assert.Equal(Enumerable.Range(0, InFlight).Select(i => $"r{i}"), answers);
    }

    [Fact]
    public async Task AFullQueue_Is429WithRetryAfter_AndAPassedDeadline504_OverHttp()
    {
        HoldModel.Reset(1);
        using var server = new LifecycleServer();
        using var client = server.CreateClient();

        var held = client.PostAsync(new Uri("/models/narrow/predict", UriKind.Relative), Json("\"first\""));
        await HoldModel.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // One replica busy, a queue of one: of two more requests, one is queued and the other refused, whichever comes second.
        var second = client.PostAsync(new Uri("/models/narrow/predict", UriKind.Relative), Json("\"second\""));
        var third = client.PostAsync(new Uri("/models/narrow/predict", UriKind.Relative), Json("\"third\""));
        var refused = await await Task.WhenAny(second, third);
        var timedOut = await client.PostAsync(new Uri("/models/slow/predict", UriKind.Relative), Json("\"late\"")); // held past its 200 ms deadline
        HoldModel.Release.TrySetResult();
        var queued = await (refused == await second ? third : second);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("narrow", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
        Assert.Contains("did not answer within 200 ms", await timedOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
