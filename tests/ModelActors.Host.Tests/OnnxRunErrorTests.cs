using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

/// <summary>An input the ONNX file's metadata allows but its graph refuses at run time (ONNX Runtime's InvalidArgument) is the caller's error: a 400 naming the model, not a 500.</summary>
public sealed class OnnxRunErrorTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task AnInputTheGraphRefuses_Is400NamingTheModel_AndAGoodOneIsServedAfterIt()
    {
        using var client = factory.CreateClient();

        var refused = await client.PostAsync(new Uri("/v2/models/vad/infer", UriKind.Relative), Body(3)); // Silero's Pad needs more samples than 3
        var served = await client.PostAsync(new Uri("/v2/models/vad/infer", UriKind.Relative), Body(576));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Model 'vad' cannot take this input (ONNX Runtime refused it): [InvalidArgument]", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private static StringContent Body(int samples) => new(
        $$"""
        {"inputs": [
          {"name": "input", "shape": [1, {{samples}}], "datatype": "FP32", "data": [{{string.Join(", ", Enumerable.Repeat("0", samples))}}]},
          {"name": "state", "shape": [2, 1, 128], "datatype": "FP32", "data": [{{string.Join(", ", Enumerable.Repeat("0", 256))}}]},
          {"name": "sr", "shape": [], "datatype": "INT64", "data": [16000]}]}
        """, Encoding.UTF8, "application/json");
}
