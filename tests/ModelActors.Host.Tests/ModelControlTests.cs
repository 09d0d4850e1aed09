using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using ModelActors.Host.Grpc.Protocol;

namespace ModelActors.Host.Tests;

/// <summary>Triton's model repository extension in explicit mode: index, load, unload, replacement without a failed request, over HTTP and gRPC.</summary>
public sealed class ModelControlTests(ExplicitRepository server) : IClassFixture<ExplicitRepository>
{
    [Fact]
    public async Task Index_ListsEveryModelOfTheRepository_WithItsStateAndReason()
    {
        using var client = server.CreateClient();

        var index = await Index(client, "{}");
        var ready = await Index(client, """{"ready": true}""");

        Assert.Contains(index, e => e is { Name: "scale", State: "READY" });
        Assert.Contains(index, e => e is { Name: "broken", Version: "", State: "UNAVAILABLE" }); // explicit mode: only --load-model at start
        Assert.All(ready, e => Assert.Equal("READY", e.State));
        Assert.DoesNotContain(ready, e => e.Name == "broken");
    }

    [Fact]
    public async Task Load_ServesTheModel_Unload_DrainsAndRemovesIt_OverHttp()
    {
        using var client = server.CreateClient();

        var load = await client.PostAsync("/v2/repository/models/other/load", null);
        var answer = await Infer(client, "other");
        var indexAfterLoad = await Index(client, "{}");
        var unload = await client.PostAsync("/v2/repository/models/other/unload", Json("{}"));
        var afterUnload = await client.PostAsync("/v2/models/other/infer", Json(ControlledRepository.OneRow));
        var indexAfterUnload = await Index(client, "{}");

        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        Assert.Equal([3f, 6f, 9f], answer);
        Assert.Contains(("other", "1", "READY", ""), indexAfterLoad);
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterUnload.StatusCode);
        Assert.Contains(("other", "", "UNAVAILABLE", "unloaded"), indexAfterUnload);
    }

    [Fact]
    public async Task ABrokenConfiguration_FailsTheLoad_NamingItsError_InTheAnswerAndTheIndex()
    {
        using var client = server.CreateClient();

        var load = await client.PostAsync("/v2/repository/models/broken/load", null);
        var unknown = await client.PostAsync("/v2/repository/models/nope/load", null);
        var traversal = await server.Services.GetRequiredService<Triton.ModelRepositoryService>().LoadAsync("..", null, CancellationToken.None); // as gRPC would pass it
        var badOverride = await client.PostAsync("/v2/repository/models/other/load", Json("""{"parameters": {"config": "{\"max_batch_sise\": 4}"}}"""));
        var files = await client.PostAsync("/v2/repository/models/other/load", Json("""{"parameters": {"file:1/model.onnx": "AAAA"}}"""));
        var index = await Index(client, "{}");

        Assert.Equal(HttpStatusCode.BadRequest, files.StatusCode);
        Assert.Equal("failed to load 'other': 'file:1/model.onnx': model files in the load request are not taken; put them in the repository.", await ErrorOf(files));
        Assert.Equal(HttpStatusCode.BadRequest, load.StatusCode);
        var error = await ErrorOf(load);
        Assert.StartsWith("failed to load 'broken': ", error, StringComparison.Ordinal);
        Assert.True(error.Contains("config.pbtxt: line 1, column 17: field 'max_batch_size' takes a number, not '['", StringComparison.Ordinal), error);
        Assert.Contains(index, e => e.Name == "broken" && e.State == "UNAVAILABLE" && e.Reason == error);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Model 'nope' is not in the repository", await ErrorOf(unknown), StringComparison.Ordinal);
        Assert.Equal("failed to load '..': not a model name (a folder of the repository).", traversal);
        Assert.Equal(HttpStatusCode.BadRequest, badOverride.StatusCode);
        Assert.Contains("its 'config' parameter is not a model configuration", await ErrorOf(badOverride), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AVersionReplacedUnderLoad_FailsNoRequest_AndAFailedReloadLeavesTheOldServing()
    {
        using var client = server.CreateClient();
        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentBag<float>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var caller = server.CreateClient();
            while (!stop.IsCancellationRequested)
            {
                var response = await caller.PostAsync("/v2/models/scale/infer", Json(ControlledRepository.OneRow));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    continue;
                }

                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                var value = body.GetProperty("outputs")[0].GetProperty("data")[0].GetSingle();
                seen.Add(value);
                if (!body.TryGetProperty("model_version", out var answered) || answered.GetString() != $"{value}")
                {
                    failures.Add($"answered by version {value} as model_version '{(answered.ValueKind == JsonValueKind.String ? answered.GetString() : "none")}'"); // even as a replace retires the version
                }
            }
        })).ToList();

        server.Write("scale/2/model.onnx", TritonRepository.Scale(2));
        var replaced = await client.PostAsync("/v2/repository/models/scale/load", null);
        var after = await Infer(client, "scale"); // the switch happened before the load answered
        server.Write("scale/config.pbtxt", "max_batch_size: oops");
        var failedReload = await client.PostAsync("/v2/repository/models/scale/load", null);
        var stillServed = await Infer(client, "scale");
        var index = await Index(client, "{}");
        await stop.CancelAsync();
        await Task.WhenAll(load);
        server.Write("scale/config.pbtxt", "max_batch_size: 8\ndynamic_batching { }\ninstance_group [ { count: 2 } ]");

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Empty(failures);
        Assert.Contains(1f, seen); // version 1 answered before the switch
        Assert.Equal([2f, 4f, 6f], after);
        Assert.Equal(HttpStatusCode.BadRequest, failedReload.StatusCode);
        Assert.Equal([2f, 4f, 6f], stillServed);
        Assert.True(index.Any(e => e.Name == "scale" && e.Version == "2" && e.State == "READY" && e.Reason.Contains("field 'max_batch_size' takes an integer, not 'oops'", StringComparison.Ordinal)), string.Join("\n", index));
    }

    [Fact]
    public async Task TheRepositoryExtension_OverGrpc_IndexesLoadsAndUnloads()
    {
        using var channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var config = new RepositoryModelLoadRequest { ModelName = "grpc-model" };
        server.Write("grpc-model/1/model.onnx", TritonRepository.Scale(5));
        config.Parameters["config"] = new ModelRepositoryParameter { StringParam = """{"max_batch_size": 4, "dynamic_batching": {}, "instance_group": [{"count": 3}]}""" };

        await client.RepositoryModelLoadAsync(config);
        var loaded = (await client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true })).Models.Single(m => m.Name == "grpc-model");
        var replicas = server.Services.GetRequiredService<ModelLibrary>().Describe(server.Services.GetRequiredService<Server.ModelVersions>().Resolve("grpc-model", null)!).Replicas;
        var unload = new RepositoryModelUnloadRequest { ModelName = "grpc-model" };
        unload.Parameters["unload_dependents"] = new ModelRepositoryParameter { BoolParam = true };
        await client.RepositoryModelUnloadAsync(unload);
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "broken" }).ResponseAsync);

        Assert.Equal(("1", "READY"), (loaded.Version, loaded.State));
        Assert.Equal(3, replicas); // the config parameter was used, not the folder's (none)
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("failed to load 'broken'", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadingAnEnsemble_LoadsItsSteps_AndItsStepIsUnloadedOnlyWithItsDependents()
    {
        using var client = server.CreateClient();

        var load = await client.PostAsync("/v2/repository/models/chain/load", null);
        var answer = await client.PostAsync("/v2/models/chain/infer", Json("""{"inputs": [{"name": "INPUT", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));
        server.Write("other/2/model.onnx", TritonRepository.Scale(4));
        var stepReplaced = await client.PostAsync("/v2/repository/models/other/load", null); // the ensemble follows its step
        var afterReplace = await client.PostAsync("/v2/models/chain/infer", Json("""{"inputs": [{"name": "INPUT", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));
        var refused = await client.PostAsync("/v2/repository/models/other/unload", null);
        var unloaded = await client.PostAsync("/v2/repository/models/other/unload", Json("""{"parameters": {"unload_dependents": true}}"""));
        var chainAfter = await client.PostAsync("/v2/models/chain/infer", Json("""{"inputs": [{"name": "INPUT", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"""));

        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal([3f, 6f, 9f], (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(HttpStatusCode.OK, stepReplaced.StatusCode);
        Assert.Equal([4f, 8f, 12f], (await afterReplace.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("failed to unload 'other': 'chain' uses it; unload it first, or pass unload_dependents: true.", await ErrorOf(refused));
        Assert.Equal(HttpStatusCode.OK, unloaded.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, chainAfter.StatusCode);
    }

    [Fact]
    public async Task AModelReplacedOverGrpc_UnderGrpcLoad_FailsNoRequest()
    {
        using var channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        server.Write("swapped/1/model.onnx", TritonRepository.Scale(1));
        await client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "swapped" });
        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentBag<float>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var firstAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answersAfterSwap = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var swapped = 0;
        var afterSwap = 0;
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var request = new ModelInferRequest { ModelName = "swapped" };
                var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Contents = new InferTensorContents() };
                input.Shape.AddRange([1, 3]);
                input.Contents.Fp32Contents.AddRange([1f, 2f, 3f]);
                request.Inputs.Add(input);
                try
                {
                    var response = await client.ModelInferAsync(request);
                    var value = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span)[0];
                    seen.Add(value);
                    if (response.ModelVersion != $"{value}")
                    {
                        failures.Add($"answered by version {value} as model_version '{response.ModelVersion}'");
                    }
                    firstAnswer.TrySetResult();
                    if (Volatile.Read(ref swapped) == 1 && Interlocked.Increment(ref afterSwap) >= 8)
                    {
                        answersAfterSwap.TrySetResult();
                    }
                }
                catch (RpcException exception)
                {
                    failures.Add($"{exception.StatusCode} {exception.Status.Detail}");
                    firstAnswer.TrySetResult();
                    answersAfterSwap.TrySetResult();
                }
            }
        })).ToList();

        await firstAnswer.Task.WaitAsync(TimeSpan.FromSeconds(60)); // version 1 serves under load before the swap
        server.Write("swapped/2/model.onnx", TritonRepository.Scale(2));
        await client.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "swapped" });
        Volatile.Write(ref swapped, 1);
        await answersAfterSwap.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.Contains(1f, seen);
        Assert.Contains(2f, seen);
    }

    [Fact]
    public async Task EnsemblesThatUseEachOther_FailToLoad_NamingTheCycle_AndTheServerServesOn()
    {
        using var client = server.CreateClient();

        var load = await client.PostAsync("/v2/repository/models/loop-a/load", null);

        Assert.Equal(HttpStatusCode.BadRequest, load.StatusCode);
        var error = await ErrorOf(load);
        Assert.StartsWith("failed to load 'loop-a': failed to load 'loop-b': ", error, StringComparison.Ordinal);
        Assert.Contains("form a cycle: 'loop-b' needs 'loop-a'", error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v2/models/scale/infer", Json(ControlledRepository.OneRow))).StatusCode);
    }

    [Theory]
    [InlineData("load", """{"parameters": 5}""", "failed to load 'scale': 'parameters' must be a JSON object, not 5.")]
    [InlineData("load", """[1]""", "failed to load 'scale': the body must be a JSON object, not array.")]
    [InlineData("load", """{"parameters": {"config": 7}}""", "failed to load 'scale': its 'config' parameter must be a model configuration as JSON text (or an object), not 7.")]
    [InlineData("unload", """{"parameters": {"unload_dependents": "yes"}}""", "failed to unload 'scale': 'unload_dependents' must be true or false, not \"yes\".")]
    public async Task MalformedParameters_Are400NamingWhat_AndChangeNothing(string operation, string body, string message)
    {
        using var client = server.CreateClient();
        var before = (await Index(client, "{}")).Where(e => e.Name == "scale").ToList();

        var refused = await client.PostAsync($"/v2/repository/models/scale/{operation}", Json(body));
        var after = (await Index(client, "{}")).Where(e => e.Name == "scale").ToList();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(message, await ErrorOf(refused));
        Assert.Equal(before, after);
        Assert.All(after, e => Assert.Equal("READY", e.State));
    }

    [Fact]
    public async Task Unload_OfAModelNotInTheRepository_Is400NamingWhy_AndTheServersOwnModelServesOn()
    {
        using var client = server.CreateClient();

        var own = await client.PostAsync("/v2/repository/models/echo/unload", Json("{}"));
        var unknown = await client.PostAsync("/v2/repository/models/zzz/unload", Json("{}"));
        var echo = await client.PostAsync("/models/echo/predict", Json("\"still here\""));

        Assert.Equal(HttpStatusCode.BadRequest, own.StatusCode);
        Assert.Contains("'echo': it is not a model of the repository", await ErrorOf(own), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("'zzz': the repository has no model of that name", await ErrorOf(unknown), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
        Assert.Equal("still here", await echo.Content.ReadFromJsonAsync<string>());
    }

    [Fact]
    public async Task AfterReloads_TheModelListAndNotFoundErrors_NameModelsAsClientsCallThem()
    {
        using var client = server.CreateClient();
        server.Write("renamed/1/model.onnx", TritonRepository.Scale(2));
        server.Write("renamed/2/model.onnx", TritonRepository.Scale(4));
        server.Write("renamed/config.pbtxt", "max_batch_size: 8\nversion_policy: { all { } }");

        var loads = new[]
        {
            (await client.PostAsync("/v2/repository/models/renamed/load", null)).StatusCode,
            (await client.PostAsync("/v2/repository/models/renamed/load", null)).StatusCode, // a replacement: new library models beside the old
        };
        var models = (await client.GetFromJsonAsync<JsonElement>("/v2")).GetProperty("models").EnumerateArray().Select(m => m.GetString()!).ToList();
        var typo = await client.PostAsync("/v2/models/renamd/infer", Json(ControlledRepository.OneRow));
        var typoError = await ErrorOf(typo);

        Assert.All(loads, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Contains("renamed", models);
        Assert.Contains("scale", models);
        Assert.DoesNotContain(models, m => m.Contains('#', StringComparison.Ordinal) || m.Contains('@', StringComparison.Ordinal));
        Assert.Equal(models.Distinct().Count(), models.Count);
        Assert.Equal(HttpStatusCode.NotFound, typo.StatusCode);
        Assert.Contains("Did you mean 'renamed'?", typoError, StringComparison.Ordinal);
        Assert.DoesNotContain("#", typoError, StringComparison.Ordinal);
        var (version1, version2) = (await Infer(client, "renamed/versions/1"), await Infer(client, "renamed/versions/2"));
        Assert.Equal([2f, 4f, 6f], version1);
        Assert.Equal([4f, 8f, 12f], version2);
    }

    [Fact]
    public async Task AModelUnloadedAndLoadedAgainAtOnce_IsServed()
    {
        using var client = server.CreateClient();
        server.Write("again/1/model.onnx", TritonRepository.Scale(6));

        var responses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            responses.Add((await client.PostAsync("/v2/repository/models/again/load", null)).StatusCode);
            responses.Add((await client.PostAsync("/v2/repository/models/again/unload", null)).StatusCode);
        }

        responses.Add((await client.PostAsync("/v2/repository/models/again/load", null)).StatusCode);

        Assert.All(responses, s => Assert.Equal(HttpStatusCode.OK, s));
        var answer = await Infer(client, "again");
        Assert.Equal([6f, 12f, 18f], answer);
    }

    [Fact]
    public async Task AJobOnAReplacedModel_RunsOnTheVersionServingNow()
    {
        using var client = server.CreateClient();
        server.Write("jobbed/1/model.onnx", TritonRepository.Scale(2));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v2/repository/models/jobbed/load", null)).StatusCode);
        var retired = server.Log.WaitForAsync(l => l.StartsWith("Replaced model versions drained and removed: jobbed", StringComparison.Ordinal));
        server.Write("jobbed/2/model.onnx", TritonRepository.Scale(5));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v2/repository/models/jobbed/load", null)).StatusCode);
        await retired.WaitAsync(TimeSpan.FromSeconds(60)); // the first version is gone: only the name 'jobbed' leads to the new one

        var submitted = await client.PostAsync("/jobs/jobbed", Json($"[{ControlledRepository.OneRow}, {ControlledRepository.OneRow}]"));
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var done = await client.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results?wait=60");

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("finished", done.GetProperty("job").GetProperty("status").GetString());
        Assert.All(done.GetProperty("results").EnumerateArray(), r =>
            Assert.Equal([5f, 10f, 15f], r.GetProperty("result").GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle())));
    }

    [Fact]
    public async Task AReloadedModel_KeepsItsMetricsSeriesAndStatistics_UnderItsNameAndVersion()
    {
        using var client = server.CreateClient();
        server.Write("watched/1/model.onnx", TritonRepository.Scale(2));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v2/repository/models/watched/load", null)).StatusCode);
        await Infer(client, "watched");
        await Infer(client, "watched");
        var retired = server.Log.WaitForAsync(l => l.StartsWith("Replaced model versions drained and removed: watched", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v2/repository/models/watched/load", null)).StatusCode); // a new generation, same version
        await Infer(client, "watched");
        await retired.WaitAsync(TimeSpan.FromSeconds(60));

        var stats = await client.GetFromJsonAsync<JsonElement>("/v2/models/watched/stats");
        var all = await client.GetFromJsonAsync<JsonElement>("/v2/models/stats");
        var metrics = (await client.GetStringAsync("/metrics")).Split('\n');

        var entry = Assert.Single(stats.GetProperty("model_stats").EnumerateArray());
        Assert.Equal(("watched", "1", 3), (entry.GetProperty("name").GetString(), entry.GetProperty("version").GetString(), entry.GetProperty("inference_count").GetInt32()));
        Assert.DoesNotContain(all.GetProperty("model_stats").EnumerateArray(), e => e.GetProperty("name").GetString()!.Contains('#', StringComparison.Ordinal));
        var requests = metrics.Where(l => l.StartsWith("modelactors_requests_total{", StringComparison.Ordinal) && l.Contains("model=\"watched", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(requests);
        Assert.Equal(3, double.Parse(line[(line.LastIndexOf('}') + 2)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)); // value [timestamp]
        Assert.Contains("version=\"1\"", requests[0], StringComparison.Ordinal);
        Assert.DoesNotContain(metrics, l => l.StartsWith("modelactors_", StringComparison.Ordinal) && l.Contains("model=\"watched#", StringComparison.Ordinal));
    }

    private static async Task<List<(string Name, string Version, string State, string Reason)>> Index(HttpClient client, string body)
    {
        var response = await client.PostAsync("/v2/repository/index", Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(e =>
            (e.GetProperty("name").GetString()!, e.GetProperty("version").GetString()!, e.GetProperty("state").GetString()!, e.GetProperty("reason").GetString()!))];
    }

    private static async Task<float[]> Infer(HttpClient client, string model)
    {
        var response = await client.PostAsync($"/v2/models/{model}/infer", Json(ControlledRepository.OneRow));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle())];
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
