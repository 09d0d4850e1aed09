using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>Two <c>modelactors serve</c> processes on loopback form a cluster: one answers for a model only the other hosts.</summary>
public sealed class ClusterServeTests
{
    [Fact]
    public async Task A_request_to_one_server_is_answered_by_a_model_the_other_hosts()
    {
        var portB = TestDefaults.FreePort(); // the seed's port must be known; node a takes any
        var seed = $"akka.tcp://model-actors@127.0.0.1:{portB}";
        string[] common = ["serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "", "--Server:LameDuck=00:00:00.2", "--cluster", "--cluster-hostname", "127.0.0.1", "--cluster-seeds", seed];
        using var b = CliProcess.Start([.. common, "--cluster-port", $"{portB}", "--cluster-models", "word-count,tokenizer"]); // word-count calls tokenizer
        using var a = CliProcess.Start([.. common, "--cluster-port", "0", "--cluster-models="]); // hosts no model
        var urlA = await a.Listening.WaitAsync(TimeSpan.FromMinutes(1));
        await b.Listening.WaitAsync(TimeSpan.FromMinutes(1));

        // Node a has no replica of word-count: its answer can only come from b (the call waits until b is up).
        var predicted = await CliProcess.RunAsync("predict", "word-count", "\"one two three\"", "--url", urlA);
        using var http = new HttpClient { BaseAddress = new Uri(urlA) };
        var metadata = await http.GetFromJsonAsync<JsonElement>("/v2/models/word-count");
        using var ready = await http.GetAsync(new Uri("/v2/health/ready", UriKind.Relative)); // 200: a is ready once its own models are (none)
        var readiness = await ready.Content.ReadFromJsonAsync<JsonElement>();
        using var ocrReady = await http.GetAsync(new Uri("/v2/models/ocr/ready", UriKind.Relative)); // 503: nobody hosts the OCR models

        await a.TerminateAsync();
        await b.TerminateAsync();
        Assert.True((0, "3") == (predicted.ExitCode, predicted.Output.Trim()), $"predict: {predicted.Error}\n--- a:\n{a.Output}\n{a.Error}\n--- b:\n{b.Output}\n{b.Error}");
        Assert.Equal($"akka.tcp://model-actors@127.0.0.1:{portB}", metadata.GetProperty("replicas_by_node").EnumerateObject().Single().Name);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("0 of 0 models loaded in", a.Output, StringComparison.Ordinal); // what it hosts; the rest open elsewhere
        Assert.Contains("hosted on other nodes open when a node that hosts them is up", a.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ocrReady.StatusCode);
        Assert.Equal($"akka.tcp://model-actors@127.0.0.1:{portB}", readiness.GetProperty("replicas_by_node").GetProperty("tokenizer").EnumerateObject().Single().Name);
        Assert.Empty(readiness.GetProperty("replicas_by_node").GetProperty("ocr").EnumerateObject());
        Assert.Equal(0, await b.ExitAsync());
        Assert.Equal(0, await a.ExitAsync());
    }
}
