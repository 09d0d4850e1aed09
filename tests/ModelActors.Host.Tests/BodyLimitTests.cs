using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>
/// A body over <c>Server:MaxRequestBodySize</c> on a real Kestrel port is a 413 whose JSON error names the limit, also
/// when it comes in chunks (no Content-Length: Kestrel's own limit stops the read) and on a streaming route.
/// </summary>
public sealed class BodyLimitTests(BodyLimitTests.SmallBodies server) : IClassFixture<BodyLimitTests.SmallBodies>
{
    private const int Limit = 65536;

    [Theory]
    [InlineData("/models/echo/predict", true)]
    [InlineData("/models/echo/predict-batch", true)]
    [InlineData("/jobs/echo", true)]
    [InlineData("/v2/models/tensor-echo/infer", true)]
    [InlineData("/models/word-count/stream", false)] // declared: refused before the stream's 200
    public async Task ABodyOverTheLimit_Is413_WithAJsonErrorNamingTheLimit(string route, bool chunked)
    {
        using var client = server.CreateClient();
        var body = Encoding.UTF8.GetBytes("[\"" + new string('a', Limit + 10_000) + "\"]");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(route, UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = chunked; // no Content-Length: Kestrel's own limit stops the read

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains("over the limit", error, StringComparison.Ordinal);
        Assert.Contains("Server:MaxRequestBodySize", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGrpcMessageOverTheLimit_IsResourceExhausted_NotUnknown()
    {
        using var process = CliProcess.Start("serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Server:LameDuck=00:00:00", $"--Server:MaxRequestBodySize={Limit}");
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(await process.GrpcListening.WaitAsync(TimeSpan.FromMinutes(1)));
        var client = new ModelActors.Host.Grpc.Protocol.GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelActors.Host.Grpc.Protocol.ModelInferRequest { ModelName = "tensor-echo" };
        request.Inputs.Add(new ModelActors.Host.Grpc.Protocol.ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "UINT8", Shape = { Limit + 10_000 } });
        request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[Limit + 10_000]));

        var error = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await client.ModelInferAsync(request));
        await process.TerminateAsync();

        Assert.Equal(global::Grpc.Core.StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(0, await process.ExitAsync());
    }

    /// <summary>The default models on Kestrel with a 64 KiB body limit.</summary>
    public sealed class SmallBodies : KestrelServer
    {
        /// <inheritdoc />
        protected override IEnumerable<(string Key, string? Value)> Settings => [("Server:MaxRequestBodySize", $"{Limit}")];
    }
}
