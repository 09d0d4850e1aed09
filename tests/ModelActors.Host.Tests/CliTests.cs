using System.Net.Http.Json;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>The <c>modelactors</c> commands run as a user runs them (a child process): exit codes and the shape of their output.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Describe_PrintsTheModelsAsATable_AndExits0()
    {
        var (code, output, error) = await CliProcess.RunAsync("describe");

        Assert.True(code == 0, error);
        var wordCount = output.Split('\n').Single(line => line.Contains("│ word-count ", StringComparison.Ordinal));
        Assert.Contains("│ String → Int32 ", wordCount, StringComparison.Ordinal);
        Assert.Contains("│ Ready ", wordCount, StringComparison.Ordinal);
        Assert.Contains("tokens=tokenizer", output, StringComparison.Ordinal);
        Assert.Contains("max 64, window 0 ms", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a configuration file that enables the cluster: a command's own models never join it (here they would host none)
    public async Task DescribeJson_ListsEveryModelReady(bool clusterInConfig)
    {
        var config = Path.Combine(Path.GetTempPath(), $"modelactors-cluster-config-{Guid.NewGuid():N}.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "modelactors.json")))!;
        json["ModelActors"]!["Cluster"] = System.Text.Json.Nodes.JsonNode.Parse(@"{ ""Enabled"": true, ""Port"": 0, ""Models"": [""""] }");
        File.WriteAllText(config, json.ToJsonString());
        var (code, output, error) = clusterInConfig
            ? await CliProcess.RunAsync("describe", "--json", "--config", config)
            : await CliProcess.RunAsync("describe", "--json");
        File.Delete(config);

        Assert.True(code == 0, error);
        var models = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(["echo", "ocr", "speech-segments", "tensor-echo", "text-detector", "text-recognizer", "tokenizer", "vad", "word-count"], models.Select(m => m.GetProperty("name").GetString()));
        Assert.All(models, m => Assert.Equal("Ready", m.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Predict_PrintsTheResult_AndABadItemExits1NamingTheModel()
    {
        var good = await CliProcess.RunAsync("predict", "word-count", "\"one two three\"");
        var bad = await CliProcess.RunAsync("predict", "word-count", "42");
        var unknown = await CliProcess.RunAsync("predict", "wordcount", "\"x\"");

        Assert.Equal((0, "3"), (good.ExitCode, good.Output.Trim()));
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Model 'word-count' takes a String item", bad.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Did you mean 'word-count'?", unknown.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a configuration with no other model: nothing else loads ModelActors.Onnx before OnnxModel is looked up
    public async Task Predict_SendsAV2RequestFile_ToATensorModelFromARepository(bool repositoryOnly)
    {
        var directory = Directory.CreateTempSubdirectory("modelactors-cli-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "negate"));
        await File.WriteAllBytesAsync(Path.Combine(directory, "negate", "model.onnx"), new ModelActors.TestKit.Onnx.OnnxGraphBuilder()
            .Input("x", ModelActors.Onnx.TensorElementType.Float, "N", 2)
            .Node("Neg", ["x"], ["y"])
            .Output("y", ModelActors.Onnx.TensorElementType.Float, "N", 2)
            .Build());
        var request = Path.Combine(directory, "request.json");
        await File.WriteAllTextAsync(request, """{"id": "cli", "inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [1.5, -2]}]}""");

        string[] config = [];
        if (repositoryOnly)
        {
            var empty = Path.Combine(directory, "empty.json");
            await File.WriteAllTextAsync(empty, """{"ModelActors": {"Models": {}}}""");
            config = ["--config", empty];
        }

        var (code, output, error) = await CliProcess.RunAsync(["predict", "negate", "@" + request, "--model-repository", directory, .. config]);

        Assert.True(code == 0, error);
        var answer = JsonDocument.Parse(output).RootElement;
        Assert.Equal("cli", answer.GetProperty("id").GetString());
        Assert.Equal([-1.5f, 2f], answer.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task BenchJson_CountsEveryRequest_AndReportsLatencyPercentiles()
    {
        var (code, output, error) = await CliProcess.RunAsync("bench", "word-count", "\"a b c\"", "--concurrency", "4", "--requests", "300", "--json");

        Assert.True(code == 0, error);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal(300, result.GetProperty("requests").GetInt64());
        Assert.Equal(300, result.GetProperty("successes").GetInt64());
        Assert.Equal(0, result.GetProperty("errors").GetInt64());
        var latency = result.GetProperty("latency_ms");
        Assert.InRange(latency.GetProperty("p50").GetDouble(), 0, latency.GetProperty("p99").GetDouble());
        Assert.InRange(latency.GetProperty("p99").GetDouble(), 0, latency.GetProperty("max").GetDouble());
    }

    [Fact]
    public async Task Samples_WritesAnImageAndSpeech_ThatTheDefaultModelsRead()
    {
        var directory = Directory.CreateTempSubdirectory("modelactors-samples-").FullName;

        var (code, _, error) = await CliProcess.RunAsync("samples", directory);
        var ocr = await CliProcess.RunAsync("predict", "ocr", $$"""{"image": "{{Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(directory, "text.png")))}}"}""");

        Assert.True(code == 0, error);
        Assert.True(ocr.ExitCode == 0, ocr.Error);
        Assert.Equal(["ModelActors reads text", "Invoice 42 total 99.50", "Hello World 2024"], JsonDocument.Parse(ocr.Output).RootElement.EnumerateArray().Select(l => l.GetProperty("text").GetString()));
        Assert.True(new FileInfo(Path.Combine(directory, "speech.wav")).Length > 100_000);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Bench_RefusesAConcurrencyBelowOne()
    {
        var (code, _, error) = await CliProcess.RunAsync("bench", "word-count", "\"a\"", "--concurrency", "0");

        Assert.NotEqual(0, code);
        Assert.Contains("--concurrency and --requests must be 1 or more", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_RefusesADurationAndACountTogether()
    {
        var (code, _, error) = await CliProcess.RunAsync("bench", "word-count", "\"a\"", "-d", "00:00:01", "-n", "10");

        Assert.Equal(2, code);
        Assert.Contains("give --duration or --requests, not both", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("predict", "@missing.json")]
    [InlineData("bench", "@missing.json")]
    [InlineData("predict", "@.")] // a folder
    public async Task AnInputFileThatCannotBeRead_Exits1_NamingIt(string command, string input)
    {
        var (code, output, error) = await CliProcess.RunAsync(command, "word-count", input, "--url", "http://127.0.0.1:9");

        Assert.True(code == 1, $"exit {code}: {error}");
        Assert.Contains($"modelactors {command}: cannot read '{input[1..]}'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error + output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithAnEmptyGrpcUrlAfterAnEqualsSign_ServesHttpOnly()
    {
        using var server = CliProcess.Start("serve", "--urls", "http://127.0.0.1:0", "--grpc-url=", "--Server:LameDuck=00:00:00");
        var url = await server.Listening.WaitAsync(TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        using var live = await http.GetAsync(new Uri("/v2/health/live", UriKind.Relative));
        await server.TerminateAsync();

        Assert.Equal(0, await server.ExitAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        Assert.DoesNotContain("gRPC (Open Inference Protocol) listening on", server.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--grpc-url", "notaurl")]
    [InlineData("--config", "BAD_JSON")]
    public async Task Serve_WithAMalformedSetting_Exits1_SayingWhy_WithoutAStackTrace(string option, string value)
    {
        var badJson = Path.Combine(Path.GetTempPath(), $"modelactors-bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(badJson, "{bad");
        try
        {
            var (code, _, error) = await CliProcess.RunAsync("serve", "--urls", "http://127.0.0.1:0", option, value == "BAD_JSON" ? badJson : value);

            Assert.True(code == 1, $"exit {code}: {error}");
            Assert.StartsWith("modelactors serve: ", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(badJson);
        }
    }

    [Theory]
    [InlineData("--model-repositry", "Did you mean '--model-repository'?")]
    [InlineData("--cluster-port", "--cluster-port needs a value")]
    public async Task Serve_WithAMisspeltOrIncompleteSwitch_Exits1_NamingIt_InsteadOfServingWithoutIt(string option, string message)
    {
        var args = option == "--cluster-port" ? new[] { "serve", "--urls", "http://127.0.0.1:0", option } : ["serve", "--urls", "http://127.0.0.1:0", option, "models"];

        var (code, output, error) = await CliProcess.RunAsync(args);

        Assert.True(code == 1, $"exit {code}: {error}");
        Assert.StartsWith("modelactors serve: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ServeHelp_ListsTheClusterSwitches()
    {
        var (code, output, _) = await CliProcess.RunAsync("serve", "--help");

        Assert.Equal(0, code);
        foreach (var option in new[] { "--cluster ", "--cluster-seeds", "--cluster-models", "--cluster-hostname", "--cluster-public-hostname", "--cluster-port" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Serve_OnAPortInUse_Exits1_SayingWhy()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;

        var (code, output, error) = await CliProcess.RunAsync("serve", "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(1, code);
        Assert.Equal($"modelactors serve: --urls 'http://127.0.0.1:{port}': port {port} is in use by another process; stop that process or give --urls another port.", error.Trim());
        Assert.DoesNotContain("models loaded", output, StringComparison.Ordinal); // said before the models load
    }

    [Fact]
    public async Task Serve_AnswersOverHttp_PredictAndBenchReachItByUrl_AndSigtermExits0()
    {
        using var server = CliProcess.Start("serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Server:LameDuck=00:00:00.5");
        var url = await server.Listening.WaitAsync(TimeSpan.FromMinutes(1));
        var grpcUrl = await server.GrpcListening.WaitAsync(TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(grpcUrl);
        var grpc = new ModelActors.Host.Grpc.Protocol.GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var echo = new ModelActors.Host.Grpc.Protocol.ModelInferRequest { ModelName = "tensor-echo" };
        echo.Inputs.Add(new ModelActors.Host.Grpc.Protocol.ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "INT64", Shape = { 2 } });
        echo.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes<long>([5, -6])));
        var echoed = await grpc.ModelInferAsync(echo);
        var grpcLive = await grpc.ServerLiveAsync(new());

        var live = await http.GetFromJsonAsync<JsonElement>("/v2/health/live");
        var predicted = await CliProcess.RunAsync("predict", "word-count", "\"a b\"", "--url", url);
        var bench = await CliProcess.RunAsync("bench", "echo", "\"x\"", "--url", url, "-n", "100", "-c", "2", "--json");
        await server.TerminateAsync();
        var exit = await server.ExitAsync();

        Assert.True(live.GetProperty("live").GetBoolean());
        Assert.Equal((0, "2"), (predicted.ExitCode, predicted.Output.Trim()));
        Assert.Equal(100, JsonDocument.Parse(bench.Output).RootElement.GetProperty("successes").GetInt64());
        Assert.Equal(0, exit);
        Assert.Contains("models loaded in", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/2 is not enabled", server.Output, StringComparison.Ordinal); // the HTTP port is not offered HTTP/2 it cannot speak
        Assert.DoesNotContain("Overriding address", server.Output, StringComparison.Ordinal); // Kestrel binds --urls once, without a warning
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);
        Assert.StartsWith("http://127.0.0.1:", grpcUrl, StringComparison.Ordinal);
        Assert.NotEqual(url, grpcUrl);
        Assert.True(grpcLive.Live);
        Assert.Equal([5L, -6L], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(echoed.RawOutputContents[0].Span).ToArray()); // over real HTTP/2
    }
}
