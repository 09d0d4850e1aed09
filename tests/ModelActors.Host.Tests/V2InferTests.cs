using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>POST /v2/models/{m}/infer with JSON tensors, model metadata and versions, on models read from a model repository.</summary>
public sealed class V2InferTests(TensorServer server) : IClassFixture<TensorServer>
{
    private static readonly Dictionary<string, string> Samples = new()
    {
        ["BOOL"] = "[true, false]",
        ["UINT8"] = "[0, 255]",
        ["UINT16"] = "[0, 65535]",
        ["UINT32"] = "[0, 4294967295]",
        ["UINT64"] = "[0, 18446744073709551615]",
        ["INT8"] = "[-128, 127]",
        ["INT16"] = "[-32768, 32767]",
        ["INT32"] = "[-2147483648, 2147483647]",
        ["INT64"] = "[-9223372036854775808, 9223372036854775807]",
        ["FP16"] = "[1.5, -2]",
        ["FP32"] = "[0.25, -3.5]",
        ["FP64"] = "[1e300, -2.5]",
        ["BF16"] = "[1.5, -2]",
        ["BYTES"] = "[\"hello\", \"wörld\"]",
    };

    [Fact]
    public async Task Infer_CarriesEveryDatatype_ThroughTheModel_AndBack()
    {
        using var client = server.CreateClient();
        var inputs = string.Join(", ", TensorServer.Datatypes.Select(d =>
            $$"""{"name": "in_{{d.Datatype.ToLowerInvariant()}}", "shape": [2], "datatype": "{{d.Datatype}}", "data": {{Samples[d.Datatype]}}}"""));

        var response = await Post(client, "/v2/models/identity/infer", $$"""{"inputs": [{{inputs}}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outputs = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        foreach (var (datatype, _) in TensorServer.Datatypes)
        {
            var output = outputs["out_" + datatype.ToLowerInvariant()];
            Assert.Equal(datatype, output.GetProperty("datatype").GetString());
            Assert.Equal([2L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            var expected = JsonDocument.Parse(Samples[datatype]).RootElement.EnumerateArray().Select(Canonical);
            Assert.Equal(expected, output.GetProperty("data").EnumerateArray().Select(Canonical));
        }
    }

    [Fact]
    public async Task Infer_TakesNestedData_EchoesIdAndParameters_AndReturnsTheModelsResult()
    {
        using var client = server.CreateClient();

        var response = await Post(client, "/v2/models/linear/infer",
            """{"id": "req-7", "parameters": {"trace": true}, "inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [[1, 0, 0], [0, 1, 1]]}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("linear", body.GetProperty("model_name").GetString());
        Assert.Equal("req-7", body.GetProperty("id").GetString());
        Assert.True(body.GetProperty("parameters").GetProperty("trace").GetBoolean());
        var y = body.GetProperty("outputs")[0];
        Assert.Equal("y", y.GetProperty("name").GetString());
        Assert.Equal([2L, 2L], y.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        // W = [[1, 2], [3, 4], [5, 6]], b = [0.5, -1]: row 1 = [1, 2] + b, row 2 = [3 + 5, 4 + 6] + b.
        Assert.Equal([1.5f, 1f, 8.5f, 9f], y.GetProperty("data").EnumerateArray().Select(d => d.GetSingle()));
    }

    [Fact]
    public async Task Infer_TakesAndAnswersNonFiniteFloats_AsPythonsJsonModuleWritesThem()
    {
        using var client = server.CreateClient();
        var inputs = string.Join(", ", TensorServer.Datatypes.Select(d =>
            $$"""{"name": "in_{{d.Datatype.ToLowerInvariant()}}", "shape": [3], "datatype": "{{d.Datatype}}", "data": {{(d.Datatype is "FP32" or "FP64" or "FP16" ? "[NaN, Infinity, -Infinity]" : "[" + Samples[d.Datatype].Trim('[', ']') + ", " + Samples[d.Datatype].Trim('[', ']').Split(", ")[0] + "]")}}}"""));

        var response = await Post(client, "/v2/models/identity/infer", $$"""{"id": "NaN inside a string stays", "inputs": [{{inputs}}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"id\":\"NaN inside a string stays\"", text, StringComparison.Ordinal);
        foreach (var name in new[] { "out_fp32", "out_fp64", "out_fp16" })
        {
            Assert.Contains($"\"name\":\"{name}\"", text, StringComparison.Ordinal);
        }

        Assert.Equal(3, CountOf(text, "[NaN,Infinity,-Infinity]"));
    }

    [Fact]
    public async Task Infer_AnswersOnlyTheOutputsAskedFor_InThatOrder()
    {
        using var client = server.CreateClient();
        var inputs = string.Join(", ", TensorServer.Datatypes.Select(d =>
            $$"""{"name": "in_{{d.Datatype.ToLowerInvariant()}}", "shape": [2], "datatype": "{{d.Datatype}}", "data": {{Samples[d.Datatype]}}}"""));

        var response = await Post(client, "/v2/models/identity/infer", $$"""{"inputs": [{{inputs}}], "outputs": [{"name": "out_int8"}, {"name": "out_bool"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString());
        Assert.Equal(["out_int8", "out_bool"], names);
    }

    [Fact]
    public async Task Metadata_ListsInputsAndOutputs_WithDatatypesAndDynamicShapes_AndTheServedVersion()
    {
        using var client = server.CreateClient();

        var linear = await client.GetFromJsonAsync<JsonElement>("/v2/models/linear");
        var identity = await client.GetFromJsonAsync<JsonElement>("/v2/models/identity/versions/2");
        var oldVersion = await client.GetAsync(new Uri("/v2/models/identity/versions/1/infer", UriKind.Relative));
        var unversioned = await client.GetAsync(new Uri("/v2/models/echo/versions/1", UriKind.Relative));

        var x = linear.GetProperty("inputs")[0];
        Assert.Equal("x", x.GetProperty("name").GetString());
        Assert.Equal("FP32", x.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 3L], x.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([-1L, 2L], linear.GetProperty("outputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["2"], identity.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(TensorServer.Datatypes.Length, identity.GetProperty("inputs").GetArrayLength());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, oldVersion.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unversioned.StatusCode);
        Assert.Contains("has no versions", await unversioned.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherVersion_Is404_NamingTheServedOne()
    {
        using var client = server.CreateClient();

        var response = await Post(client, "/v2/models/identity/versions/1/infer", """{"inputs": []}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("has no version '1'; served: 2.", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v2/models/nope/infer", "{}", HttpStatusCode.NotFound, "nope")]
    [InlineData("/v2/models/echo/infer", "{}", HttpStatusCode.BadRequest, "Model 'echo' takes String items, not tensors")]
    [InlineData("/models/linear/predict", "{}", HttpStatusCode.BadRequest, "Model 'linear' is a tensor model: call POST /v2/models/linear/infer")]
    [InlineData("/models/linear/stream", "[]", HttpStatusCode.BadRequest, "Model 'linear' is a tensor model")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [", HttpStatusCode.BadRequest, "Model 'linear': the body is not valid JSON")]
    [InlineData("/v2/models/linear/infer", "[1]", HttpStatusCode.BadRequest, "must be a JSON object with an 'inputs' array, not an array")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": []}", HttpStatusCode.BadRequest, "needs an 'inputs' array with at least one input")]
    [InlineData("/v2/models/linear/infer", "{\"id\": 5, \"inputs\": []}", HttpStatusCode.BadRequest, "'id' must be a string, not a number")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"z\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", HttpStatusCode.BadRequest, "Model 'linear' has no input 'z'. Its inputs are 'x' FP32 [-1, 3]")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"INT64\", \"data\": [1, 2, 3]}]}", HttpStatusCode.BadRequest, "input 'x' is FP32, but the request sends INT64")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FLOAT\", \"data\": [1, 2, 3]}]}", HttpStatusCode.BadRequest, "input 'x' has datatype 'FLOAT', which is not one of BOOL")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2]}]}", HttpStatusCode.BadRequest, "input 'x' (FP32): shape [1, 3] holds 3 elements, but the data has 2")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}", HttpStatusCode.BadRequest, "input 'x' (FP32): the data has more elements than the shape's 3")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\": [[1, 2, 3, 4], [5, 6]]}]}", HttpStatusCode.BadRequest, "input 'x' (FP32): data[0] is an array of 4, but dimension 1 of the shape [2, 3] is 3: nested data must nest as the shape does")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\": [[1, 2, 3], 4, 5, 6]}]}", HttpStatusCode.BadRequest, "input 'x' (FP32): data is an array of 4, but dimension 0 of the shape [2, 3] is 2")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [[[1], [2], [3]]]}]}", HttpStatusCode.BadRequest, "input 'x' (FP32): data[0][0] is an array, but the shape [1, 3] has 2 dimension(s)")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\": [1, 2, [3, 4], 5, 6]}]}", HttpStatusCode.BadRequest, "input 'x' (FP32): data[2] is an array in flat data")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}", HttpStatusCode.BadRequest, "'x'")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, -3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", HttpStatusCode.BadRequest, "input 'x' has shape dimension 1 = -3")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, \"two\", 3]}]}", HttpStatusCode.BadRequest, "input 'x' (FP32): element 1 is \"two\", not a number")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [100000000, 3], \"datatype\": \"FP32\", \"data\": [1]}]}", HttpStatusCode.BadRequest, "holds 300000000 elements, more than the data holds")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\"}]}", HttpStatusCode.BadRequest, "input 'x' has no 'data'")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", HttpStatusCode.BadRequest, "input 'x' needs a 'shape' array")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", HttpStatusCode.BadRequest, "inputs[0] needs a 'name' string")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}], \"outputs\": [{\"name\": \"q\"}]}", HttpStatusCode.BadRequest, "Model 'linear' has no output 'q'. Its outputs are 'y'")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 12}, \"data\": []}]}", HttpStatusCode.BadRequest, "has binary_data_size, but the request has no Inference-Header-Content-Length header")]
    [InlineData("/v2/models/identity/infer", "{\"inputs\": [{\"name\": \"in_int8\", \"shape\": [1], \"datatype\": \"INT8\", \"data\": [300]}]}", HttpStatusCode.BadRequest, "input 'in_int8' (INT8): element 0 is 300, not a whole number from -128 to 127")]
    [InlineData("/v2/models/identity/infer", "{\"inputs\": [{\"name\": \"in_int8\", \"shape\": [1], \"datatype\": \"INT8\", \"data\": [1]}]}", HttpStatusCode.BadRequest, "input 'in_bool', 'in_uint8'")]
    [InlineData("/v2/models/identity/infer", "{\"inputs\": [{\"name\": \"in_bool\", \"shape\": [1], \"datatype\": \"BOOL\", \"data\": [1]}]}", HttpStatusCode.BadRequest, "element 0 is 1, not true or false")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"\\ud800\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", HttpStatusCode.BadRequest, "Model 'linear': inputs[0].name is not valid text (Cannot read")]
    [InlineData("/v2/models/identity/infer", "{\"inputs\": [{\"name\": \"in_bytes\", \"shape\": [2], \"datatype\": \"BYTES\", \"data\": [\"ok\", \"\\udc00\"]}]}", HttpStatusCode.BadRequest, "input 'in_bytes' (BYTES): element 1 is not valid text")]
    [InlineData("/v2/models/linear/infer", "{\"id\": \"a\\ud800b\", \"inputs\": []}", HttpStatusCode.BadRequest, "Model 'linear': 'id' is not valid text")]
    [InlineData("/v2/models/linear/infer", "{\"parameters\": {\"k\": [\"\\ud83d\"]}, \"inputs\": []}", HttpStatusCode.BadRequest, "Model 'linear': 'parameters'.k[0] is not valid text")]
    [InlineData("/v2/models/linear/infer", "{\"parameters\": {\"\\udfff\": 1}, \"inputs\": []}", HttpStatusCode.BadRequest, "Model 'linear': a key of 'parameters' is not valid text")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"\\ud800\", \"data\": [1, 2, 3]}]}", HttpStatusCode.BadRequest, "the datatype of input 'x' is not valid text")]
    [InlineData("/v2/models/linear/infer", "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}], \"outputs\": [{\"name\": \"\\udc00\"}]}", HttpStatusCode.BadRequest, "outputs[0].name is not valid text")]
    [InlineData("/models/echo/predict", "\"\\ud800\"", HttpStatusCode.BadRequest, "Model 'echo' takes a String item as JSON; the body is not one: ")]
    [InlineData("/models/word-count/predict-batch", "[\"ok\", \"\\udc00\"]", HttpStatusCode.BadRequest, "Model 'word-count' takes a JSON array of")]
    public async Task BadRequests_AreAnswered4xx_NamingWhatWasWrong(string route, string body, HttpStatusCode status, string message)
    {
        using var client = server.CreateClient();

        var response = await Post(client, route, body);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerMetadata_ListsTheExtensionsItImplements()
    {
        using var client = server.CreateClient();

        var metadata = await client.GetFromJsonAsync<JsonElement>("/v2");

        Assert.Equal(["binary_tensor_data", "parameters", "statistics", "model_repository", "model_repository(unload_dependents)", "model_configuration"], metadata.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Metadata_OfAModelThatFailedToLoad_Is503_WithTheLoadErrorAndState()
    {
        await server.ModelsLoadedAsync();
        using var client = server.CreateClient();

        var response = await client.GetAsync(new Uri("/v2/models/broken", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Failed", body.GetProperty("state").GetString());
        Assert.StartsWith("Model 'broken' failed to load: ", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_OfALoadedCSharpTensorModelThatDeclaresNoTensors_Is200_WithEmptyLists()
    {
        using var client = server.CreateClient();
        var served = await Post(client, "/v2/models/tensor-echo/infer", """{"inputs": [{"name": "x", "shape": [1], "datatype": "INT64", "data": [4]}]}"""); // loads it

        var response = await client.GetAsync(new Uri("/v2/models/tensor-echo", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // it takes any tensors: nothing is unknown
        Assert.Equal("Ready", body.GetProperty("state").GetString());
        Assert.Equal(0, body.GetProperty("inputs").GetArrayLength());
        Assert.Equal(0, body.GetProperty("outputs").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task ABodyOverTheLimit_Is413()
    {
        using var client = server.CreateClient();
        var data = string.Join(", ", Enumerable.Repeat("1.0", 30_000)); // ~150 KB against the tests' 64 KiB limit

        var response = await Post(client, "/v2/models/linear/infer", $$"""{"inputs": [{"name": "x", "shape": [10000, 3], "datatype": "FP32", "data": [{{data}}]}]}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("over the limit of 65536 bytes", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATypedBodyOverTheLimit_Is413Too()
    {
        using var client = server.CreateClient();

        var response = await Post(client, "/models/echo/predict", "\"" + new string('a', 70_000) + "\"");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("over the limit of 65536 bytes", await ErrorOf(response), StringComparison.Ordinal);
    }

    private static string Canonical(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.GetRawText().Contains('.', StringComparison.Ordinal) || element.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) =>
            element.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.String => element.GetString()!,
        _ => element.GetRawText(),
    };

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    private static Task<HttpResponseMessage> Post(HttpClient client, string route, string body) =>
        client.PostAsync(new Uri(route, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
}
