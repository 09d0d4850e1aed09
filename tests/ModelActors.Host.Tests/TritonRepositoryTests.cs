using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using ModelActors.Host.Grpc.Protocol;

namespace ModelActors.Host.Tests;

/// <summary>A Triton model repository served unchanged: config.pbtxt, version policies, versions over HTTP and gRPC, and configurations refused with their reason.</summary>
public sealed class TritonRepositoryTests(TritonRepository server) : IClassFixture<TritonRepository>
{
    [Theory]
    [InlineData("scale", new[] { "2", "1" })]
    [InlineData("latest", new[] { "3", "2" })]
    [InlineData("specific", new[] { "3", "1" })]
    public async Task Metadata_ListsEveryVersionThePolicySelects(string model, string[] versions)
    {
        using var client = server.CreateClient();

        var metadata = await client.GetFromJsonAsync<JsonElement>($"/v2/models/{model}");

        Assert.Equal(model, metadata.GetProperty("name").GetString());
        Assert.Equal(versions, metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [InlineData("/v2/models/scale/infer", 2f, "2")]
    [InlineData("/v2/models/scale/versions/2/infer", 2f, "2")]
    [InlineData("/v2/models/scale/versions/1/infer", 1f, "1")]
    [InlineData("/v2/models/specific/versions/1/infer", 1f, "1")]
    [InlineData("/v2/models/latest/infer", 3f, "3")]
    public async Task Infer_ReachesTheVersionAskedFor_AndTheNewestWithoutOne(string route, float factor, string version)
    {
        using var client = server.CreateClient();

        var response = await client.PostAsync(route, Json("""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(version, body.GetProperty("model_version").GetString());
        Assert.Equal([factor, 2 * factor, 3 * factor], body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task ARequestOverMaxBatchSizeRows_Is400NamingTheInput_AndOneAtTheLimitIsServed()
    {
        using var client = server.CreateClient();
        static string Rows(int n) => $$"""{"inputs": [{"name": "x", "shape": [{{n}}, 3], "datatype": "FP32", "data": [{{string.Join(", ", Enumerable.Repeat("1", n * 3))}}]}]}""";

        var over = await client.PostAsync("/v2/models/scale/infer", Json(Rows(9))); // max_batch_size: 8
        var atLimit = await client.PostAsync("/v2/models/scale/infer", Json(Rows(8)));

        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Contains("input 'x' has 9 rows along its batch axis, and the model takes at most 8 per request", (await over.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
    }

    [Theory]
    [InlineData("/v2/models/scale/versions/3/infer", "Model 'scale' has no version '3'; served: 2, 1.")]
    [InlineData("/v2/models/specific/versions/2/infer", "Model 'specific' has no version '2'; served: 3, 1.")]
    public async Task Infer_OnAVersionNotServed_Answers404NamingTheServedOnes(string route, string message)
    {
        using var client = server.CreateClient();

        var response = await client.PostAsync(route, Json("""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Grpc_ModelVersion_ReachesThatVersion()
    {
        using var channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelInferRequest { ModelName = "scale", ModelVersion = "1" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32" };
        input.Shape.AddRange([1, 3]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<float>([1f, 2f, 3f])));

        var response = await client.ModelInferAsync(request);
        var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = "scale" });

        Assert.Equal("1", response.ModelVersion);
        Assert.Equal([1f, 2f, 3f], MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
        Assert.Equal(["2", "1"], metadata.Versions);
    }

    [Fact]
    public void Config_BecomesTheModelsReplicasBatchingAndQueue_ForEveryVersion()
    {
        var library = server.Services.GetRequiredService<ModelLibrary>();

        foreach (var name in new[] { "scale", "scale@1" })
        {
            var model = library.Describe(name);
            Assert.Equal(ModelState.Ready, model.State);
            Assert.Equal(2, model.Replicas);
            Assert.Equal(8, model.MaxBatchSize);
            Assert.Equal(TimeSpan.Zero, model.MaxDelay); // 500 µs is below Akka's scheduler tick: demand-driven batches
            Assert.Equal(64, model.QueueCapacity);
        }

        Assert.Equal(0, library.Describe("latest").MaxBatchSize); // max_batch_size 0: no batch axis, no batching
    }

    [Theory]
    [InlineData("gpu", "asks for instance_group { kind: KIND_GPU }, and this server runs models on the CPU only")]
    [InlineData("tensorrt", "is for platform 'tensorrt_plan', which this server does not run")]
    [InlineData("typo", "config.pbtxt: line 2, column 1: inference.ModelConfig has no field named 'max_batch_sise'.")]
    [InlineData("mismatch", "the configuration declares input 'x: Float[-1, 4]', but the ONNX file has 'x: Float[N, 3]'.")]
    [InlineData("both", "has both")]
    [InlineData("badwarmup", "warm-up 'short' failed: the data file 'short.bin' holds 4 bytes, and the input needs 12")]
    public async Task AConfigurationThatCannotBeServed_FailsThatModelOnly_NamingWhy(string model, string reason)
    {
        using var client = server.CreateClient();

        var ready = await client.GetAsync($"/v2/models/{model}/ready");
        var infer = await client.PostAsync($"/v2/models/{model}/infer", Json("""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));
        var serverReady = await client.GetAsync("/v2/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, infer.StatusCode);
        Assert.Contains(reason, (await infer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, serverReady.StatusCode);
    }

    [Fact]
    public async Task AConfigurationThatCannotBeServed_IsTriedOnce_NotRetried()
    {
        await server.Log.WaitForAsync(l => l.Contains(" models loaded in ", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromMinutes(1));

        // Its error comes back every time: retries (with backoff) would only hold back the models loading after it.
        Assert.DoesNotContain(server.Log.Lines.Select(l => l[(l.IndexOf("Model", StringComparison.Ordinal) is var i and >= 0 ? i : 0)..]), l => l.Contains("failed to load (attempt", StringComparison.Ordinal)
            && new[] { "gpu", "tensorrt", "typo", "mismatch", "both" }.Any(m => l.Contains($"Model '{m}'", StringComparison.Ordinal)));
    }

    [Fact]
    public void LoadLog_NamesEveryFieldSetThatIsNotServed_AndHowAShortDelayIsServed()
    {
        var lines = server.Log.Lines.Where(l => l.StartsWith("Model 'scale': ", StringComparison.Ordinal)).ToList();

        var ignored = Assert.Single(lines, l => l.Contains("not served, ignored: ", StringComparison.Ordinal));
        Assert.Contains("dynamic_batching.preferred_batch_size", ignored, StringComparison.Ordinal);
        Assert.Contains("optimization.input_pinned_memory.enable", ignored, StringComparison.Ordinal);
        Assert.Contains("parameters[\"unknown_knob\"]", ignored, StringComparison.Ordinal);
        Assert.DoesNotContain("intra_op_thread_count", ignored, StringComparison.Ordinal);
        Assert.DoesNotContain("instance_group", ignored, StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("max_queue_delay_microseconds 500 is below Akka's 10 ms scheduler tick", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Statistics_CountTheRequestsSent_InTritonsShape_OverHttpAndGrpc()
    {
        using var client = server.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            var answer = await client.PostAsync("/v2/models/counted/infer", Json("""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var http = Assert.Single((await client.GetFromJsonAsync<JsonElement>("/v2/models/counted/stats")).GetProperty("model_stats").EnumerateArray());
        using var channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });
        var grpc = Assert.Single((await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelStatisticsAsync(new ModelStatisticsRequest { Name = "counted" })).ModelStats);
        var all = (await client.GetFromJsonAsync<JsonElement>("/v2/models/stats")).GetProperty("model_stats").EnumerateArray().Select(m => (m.GetProperty("name").GetString(), m.GetProperty("version").GetString())).ToList();
        var scale = (await client.GetFromJsonAsync<JsonElement>("/v2/models/scale/stats")).GetProperty("model_stats").EnumerateArray().Select(m => m.GetProperty("version").GetString());
        var scale1 = (await client.GetFromJsonAsync<JsonElement>("/v2/models/scale/versions/1/stats")).GetProperty("model_stats").EnumerateArray().Select(m => m.GetProperty("version").GetString());
        var unknown = await client.GetAsync("/v2/models/nope/stats");

        Assert.Equal("counted", http.GetProperty("name").GetString());
        Assert.Equal("1", http.GetProperty("version").GetString());
        Assert.Equal(5, http.GetProperty("inference_count").GetInt64());
        Assert.Equal(5, http.GetProperty("execution_count").GetInt64()); // one at a time: each alone in its batch
        var stats = http.GetProperty("inference_stats");
        Assert.Equal(5, stats.GetProperty("success").GetProperty("count").GetInt64());
        Assert.Equal(0, stats.GetProperty("fail").GetProperty("count").GetInt64());
        Assert.Equal(5, stats.GetProperty("queue").GetProperty("count").GetInt64());
        Assert.True(stats.GetProperty("compute_infer").GetProperty("ns").GetInt64() > 0);
        var batch = Assert.Single(http.GetProperty("batch_stats").EnumerateArray());
        Assert.Equal(1, batch.GetProperty("batch_size").GetInt64());
        Assert.Equal(5, batch.GetProperty("compute_infer").GetProperty("count").GetInt64());
        Assert.True(http.GetProperty("last_inference").GetInt64() > 0);
        Assert.Equal((ulong)5, grpc.InferenceCount);
        Assert.Equal((ulong)5, grpc.InferenceStats.Success.Count);
        Assert.Equal("1", grpc.Version);
        Assert.Contains(("scale", "2"), all);
        Assert.Contains(("scale", "1"), all);
        Assert.Contains(("counted", "1"), all);
        Assert.Equal(["2", "1"], scale);
        Assert.Equal(["1"], scale1);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task WithoutExplicitModelControl_LoadAndUnload_AreRefused_AndTheIndexAnswers()
    {
        using var client = server.CreateClient();

        var load = await client.PostAsync("/v2/repository/models/scale/load", null);
        var unload = await client.PostAsync("/v2/repository/models/scale/unload", null);
        var index = await client.PostAsync("/v2/repository/index", null);

        Assert.Equal(HttpStatusCode.BadRequest, load.StatusCode);
        Assert.Equal("failed to load 'scale': explicit model load / unload is not allowed: the server runs with --model-control-mode none (use explicit).",
            (await load.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unload.StatusCode);
        var entries = (await index.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("name").GetString() == "scale" && e.GetProperty("version").GetString() == "1" && e.GetProperty("state").GetString() == "READY");
        Assert.Contains(entries, e => e.GetProperty("name").GetString() == "gpu" && e.GetProperty("state").GetString() == "UNAVAILABLE"
            && e.GetProperty("reason").GetString()!.Contains("KIND_GPU", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelConfig_AnswersTheConfigurationAsServed_CompletedFromTheModel_OverHttpAndGrpc()
    {
        using var client = server.CreateClient();
        using var channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });

        var scale = await client.GetFromJsonAsync<JsonElement>("/v2/models/scale/versions/1/config");
        var completed = await client.GetFromJsonAsync<JsonElement>("/v2/models/specific/config"); // no input or output in its file
        var pipeline = await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelConfigAsync(new ModelConfigRequest { Name = "pipeline" });
        var unknown = await client.GetAsync("/v2/models/nope/config");

        Assert.Equal("scale", scale.GetProperty("name").GetString());
        Assert.Equal(8, scale.GetProperty("max_batch_size").GetInt32());
        Assert.Equal(2, scale.GetProperty("instance_group")[0].GetProperty("count").GetInt32());
        Assert.Equal("500", scale.GetProperty("dynamic_batching").GetProperty("max_queue_delay_microseconds").GetString()); // as written, 64-bit as a string
        Assert.Equal("TYPE_FP32", completed.GetProperty("input")[0].GetProperty("data_type").GetString());
        Assert.Equal(["3"], completed.GetProperty("input")[0].GetProperty("dims").EnumerateArray().Select(d => d.GetString())); // the batch axis is max_batch_size's
        Assert.Equal("onnxruntime", completed.GetProperty("backend").GetString());
        Assert.Equal("ensemble", pipeline.Config.Platform);
        Assert.Equal(["scale", "latest"], pipeline.Config.EnsembleScheduling.Step.Select(s => s.ModelName));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task AReshape_TakesTheConfiguredDims_AndGivesThemBack()
    {
        using var client = server.CreateClient();

        var response = await client.PostAsync("/v2/models/reshaped/infer", Json("""{"inputs": [{"name": "x", "shape": [2, 3, 1], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]}]}"""));
        var wrong = await client.PostAsync("/v2/models/reshaped/infer", Json("""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));
        var metadata = await client.GetFromJsonAsync<JsonElement>("/v2/models/reshaped");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0];
        Assert.Equal([2L, 1, 3], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([2f, 4f, 6f, 8f, 10f, 12f], output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode); // the declared dims are what a request is checked against
        Assert.Equal([-1L, 3, 1], metadata.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Fact]
    public async Task AnEnsemble_RunsItsStepsInTurn_EachOnItsOwnModel()
    {
        using var client = server.CreateClient();

        var response = await client.PostAsync("/v2/models/pipeline/infer", Json("""{"inputs": [{"name": "INPUT", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]}]}"""));
        var metadata = await client.GetFromJsonAsync<JsonElement>("/v2/models/pipeline");
        var library = server.Services.GetRequiredService<ModelLibrary>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0];
        Assert.Equal("OUTPUT", output.GetProperty("name").GetString());
        Assert.Equal([6f, 12f, 18f, 24f, 30f, 36f], output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle())); // ×2 (scale v2), then ×3 (latest v3)
        Assert.Equal(["INPUT"], metadata.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(new Dictionary<string, string> { ["step0"] = "scale", ["step1"] = "latest" }, library.Describe("pipeline").Dependencies);
    }

    [Fact]
    public async Task AStepsError_FailsTheEnsemblesRequest_NamingTheStepsModelAndInput()
    {
        using var client = server.CreateClient();

        var response = await client.PostAsync("/v2/models/badpipe/infer", Json("""{"inputs": [{"name": "INPUT", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
        Assert.Contains("'scale'", error, StringComparison.Ordinal);
        Assert.Contains("Input 'x' dimension 1 must be 3", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orphan", "step 0 of the ensemble uses model 'nothere', which is not served")]
    [InlineData("gap", "Ensemble 'gap': step 0 ('scale') needs 'elsewhere', which neither the request nor another step makes.")]
    public async Task AnEnsembleWhoseStepsCannotRun_FailsToLoad_NamingWhy(string model, string reason)
    {
        using var client = server.CreateClient();

        var infer = await client.PostAsync($"/v2/models/{model}/infer", Json("""{"inputs": [{"name": "INPUT", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, infer.StatusCode);
        Assert.Contains(reason, (await infer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
