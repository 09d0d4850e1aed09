using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>The v2 binary tensor extension (what Triton's clients send by default): binary inputs after the JSON, binary outputs back.</summary>
public sealed class V2BinaryTests(TensorServer server) : IClassFixture<TensorServer>
{
    [Fact]
    public async Task BinaryInputs_AndBinaryOutputs_RoundTrip()
    {
        using var client = server.CreateClient();
        var x = new float[] { 1, 0, 0, 0, 1, 1 };
        var xBytes = x.SelectMany(BitConverter.GetBytes).ToArray();
        var header = $$$"""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "parameters": {"binary_data_size": {{{xBytes.Length}}}}}], "outputs": [{"name": "y", "parameters": {"binary_data": true}}]}""";

        var (status, json, binary) = await PostAsync(client, "/v2/models/linear/infer", header, xBytes);

        Assert.Equal(HttpStatusCode.OK, status);
        var y = JsonDocument.Parse(json).RootElement.GetProperty("outputs")[0];
        Assert.Equal(16, y.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(y.TryGetProperty("data", out _));
        Assert.Equal([1.5f, 1f, 8.5f, 9f], Enumerable.Range(0, 4).Select(i => BitConverter.ToSingle(binary, i * 4)));
    }

    [Fact]
    public async Task BinaryStringsAndIntegers_MixWithJsonInputs_AndEveryOutputCanBeAskedInBinary()
    {
        using var client = server.CreateClient();
        var words = Strings("héllo", "", "world");
        var ids = new long[] { -1, 0, long.MaxValue }.SelectMany(BitConverter.GetBytes).ToArray();
        var inputs = TensorServer.Datatypes.Select(d => d.Datatype switch
        {
            "BYTES" => $$$"""{"name": "in_bytes", "shape": [3], "datatype": "BYTES", "parameters": {"binary_data_size": {{{words.Length}}}}}""",
            "INT64" => $$$"""{"name": "in_int64", "shape": [3], "datatype": "INT64", "parameters": {"binary_data_size": {{{ids.Length}}}}}""",
            "BOOL" => """{"name": "in_bool", "shape": [3], "datatype": "BOOL", "data": [true, false, true]}""",
            _ => $$"""{"name": "in_{{d.Datatype.ToLowerInvariant()}}", "shape": [3], "datatype": "{{d.Datatype}}", "data": [1, 2, 3]}""",
        });
        var header = $$"""{"parameters": {"binary_data_output": true}, "inputs": [{{string.Join(", ", inputs)}}], "outputs": [{"name": "out_bytes"}, {"name": "out_int64"}]}""";

        // The binary section follows the inputs' order in the JSON: in_int64 comes before in_bytes there.
        var (status, json, binary) = await PostAsync(client, "/v2/models/identity/infer", header, [.. ids, .. words]);

        Assert.True(status == HttpStatusCode.OK, json);
        var outputs = JsonDocument.Parse(json).RootElement.GetProperty("outputs");
        Assert.Equal(words.Length, outputs[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal([.. words, .. ids], binary); // the outputs' order as asked
    }

    [Theory]
    [InlineData("""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "parameters": {"binary_data_size": 20}}]}""", 24, "needs 24 bytes of binary data, not 20")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "parameters": {"binary_data_size": 24}}]}""", 28, "4 bytes of binary data are left")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", 12, "needs 24 bytes of binary data, not 12")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [9], "parameters": {"binary_data_size": 24}}]}""", 24, "input 'x' (FP32) has both 'data' and binary_data_size")]
    [InlineData("""{"inputs": [{"name": "x", "shape": [4611686018427387904, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", 12, "holds 9223372036854775807 elements, more than 12 bytes of binary data can")]
    public async Task BinaryDataThatDoesNotFit_Is400NamingTheInput(string header, int binaryBytes, string message)
    {
        using var client = server.CreateClient();

        var (status, json, _) = await PostAsync(client, "/v2/models/linear/infer", header, new byte[binaryBytes]);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 1 }, null)]
    [InlineData(new byte[] { 1, 0, 2 }, "input 'in_bool' (BOOL): BOOL element 2 is the byte 2, not 0 (false) or 1 (true)")]
    public async Task BinaryBool_IsOneByte0Or1_AnotherByteIs400NamingTheElement(byte[] bools, string? message)
    {
        using var client = server.CreateClient();
        var inputs = TensorServer.Datatypes.Select(d => d.Datatype switch
        {
            "BOOL" => """{"name": "in_bool", "shape": [3], "datatype": "BOOL", "parameters": {"binary_data_size": 3}}""",
            "BYTES" => """{"name": "in_bytes", "shape": [3], "datatype": "BYTES", "data": ["a", "b", "c"]}""",
            _ => $$"""{"name": "in_{{d.Datatype.ToLowerInvariant()}}", "shape": [3], "datatype": "{{d.Datatype}}", "data": [1, 2, 3]}""",
        });
        var header = $$"""{"inputs": [{{string.Join(", ", inputs)}}], "outputs": [{"name": "out_bool"}]}""";

        var (status, json, _) = await PostAsync(client, "/v2/models/identity/infer", header, bools);

        if (message is null)
        {
            Assert.True(status == HttpStatusCode.OK, json);
            Assert.Equal("[true,false,true]", JsonDocument.Parse(json).RootElement.GetProperty("outputs")[0].GetProperty("data").GetRawText());
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(message, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AHeaderLengthBeyondTheBody_Is400()
    {
        using var client = server.CreateClient();
        using var content = new ByteArrayContent("{}"u8.ToArray());
        content.Headers.Add("Inference-Header-Content-Length", "99");

        var response = await client.PostAsync(new Uri("/v2/models/linear/infer", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Inference-Header-Content-Length is 99, but the body has 2 bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static byte[] Strings(params string[] values) =>
        [.. values.SelectMany(v => BitConverter.GetBytes((uint)Encoding.UTF8.GetByteCount(v)).Concat(Encoding.UTF8.GetBytes(v)))];

    /// <summary>Posts a binary-extension request (JSON header, then <paramref name="binary"/>): the status, the answer's JSON and its binary section.</summary>
    internal static async Task<(HttpStatusCode Status, string Json, byte[] Binary)> PostAsync(HttpClient client, string route, string header, byte[] binary)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        using var content = new ByteArrayContent([.. headerBytes, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", headerBytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await client.PostAsync(new Uri(route, UriKind.Relative), content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.Headers.TryGetValues("Inference-Header-Content-Length", out var lengths))
        {
            return (response.StatusCode, Encoding.UTF8.GetString(body), []);
        }

        var jsonLength = int.Parse(lengths.Single(), System.Globalization.CultureInfo.InvariantCulture);
        return (response.StatusCode, Encoding.UTF8.GetString(body, 0, jsonLength), body[jsonLength..]);
    }
}
