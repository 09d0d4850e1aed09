using System.Buffers.Binary;
using System.Net;
using System.Text;
using Google.Protobuf;
using Grpc.Net.Client;
using ModelActors.Host.Grpc.Protocol;

namespace ModelActors.Host.Tests;

/// <summary>
/// BYTES are arbitrary bytes in the protocol: random bytes (invalid UTF-8 among them) sent to an Identity model come
/// back byte for byte over gRPC (raw and typed contents) and the HTTP binary extension; JSON, which carries only
/// text, refuses them with a 400 naming the output instead of rewriting them.
/// </summary>
public sealed class BytesRoundTripTests(TensorServer server) : IClassFixture<TensorServer>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Grpc_RawAndTypedContents_KeepRandomBytes(int seed)
    {
        var elements = RandomElements(seed);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);

        var raw = Request(elements.Length);
        raw.RawInputContents.Add(ByteString.CopyFrom(LengthPrefixed(elements)));
        var typed = Request(elements.Length);
        typed.Inputs[0].Contents = new InferTensorContents { BytesContents = { elements.Select(e => ByteString.CopyFrom(e)) } };

        foreach (var request in new[] { raw, typed })
        {
            var response = await client.ModelInferAsync(request);

            Assert.Equal("BYTES", response.Outputs[0].Datatype);
            Assert.Equal(LengthPrefixed(elements), response.RawOutputContents[0].ToByteArray());
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Http_BinaryExtension_KeepsRandomBytes(int seed)
    {
        var elements = RandomElements(seed);
        var binary = LengthPrefixed(elements);
        var header = $$$"""{"inputs": [{"name": "in", "shape": [{{{elements.Length}}}], "datatype": "BYTES", "parameters": {"binary_data_size": {{{binary.Length}}}}}], "outputs": [{"name": "out", "parameters": {"binary_data": true}}]}""";
        using var client = server.CreateClient();

        var (status, json, output) = await PostAsync(client, header, binary);

        Assert.True(status == HttpStatusCode.OK, json);
        Assert.Equal(binary, output);
    }

    [Fact]
    public async Task Http_JsonOutput_OfBytesThatAreNotText_Is400_NamingTheOutput()
    {
        byte[][] elements = [[0xFF, 0xFE], [0x61]];
        var binary = LengthPrefixed(elements);
        var header = $$$"""{"inputs": [{"name": "in", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": {{{binary.Length}}}}}], "outputs": [{"name": "out"}]}""";
        using var client = server.CreateClient();

        var (status, json, _) = await PostAsync(client, header, binary);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("error").GetString();
        Assert.Contains("Model 'bytes': output 'out' holds BYTES that are not UTF-8 text", error, StringComparison.Ordinal);
        Assert.Contains("\"binary_data\": true", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_JsonData_ThatIsText_StillComesBackAsJsonStrings()
    {
        using var client = server.CreateClient();
        using var content = new StringContent("""{"inputs": [{"name": "in", "shape": [2], "datatype": "BYTES", "data": ["héllo", ""]}], "outputs": [{"name": "out"}]}""", Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri("/v2/models/bytes/infer", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"data\":[\"h\\u00E9llo\",\"\"]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Random elements of 0–40 bytes; the first is always FF FE (never UTF-8).</summary>
    private static byte[][] RandomElements(int seed)
    {
        var random = new Random(seed);
        var elements = new byte[random.Next(2, 30)][];
        elements[0] = [0xFF, 0xFE];
        for (var i = 1; i < elements.Length; i++)
        {
            elements[i] = new byte[random.Next(0, 41)];
            random.NextBytes(elements[i]);
        }

        return elements;
    }

    private static ModelInferRequest Request(int count)
    {
        var request = new ModelInferRequest { ModelName = "bytes" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "in", Datatype = "BYTES" };
        input.Shape.Add(count);
        request.Inputs.Add(input);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "out" });
        return request;
    }

    private static byte[] LengthPrefixed(byte[][] elements)
    {
        var buffer = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)element.Length);
            buffer.AddRange(length.ToArray());
            buffer.AddRange(element);
        }

        return [.. buffer];
    }

    private static Task<(HttpStatusCode Status, string Json, byte[] Binary)> PostAsync(HttpClient client, string header, byte[] binary) =>
        V2BinaryTests.PostAsync(client, "/v2/models/bytes/infer", header, binary);
}
