using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

/// <summary>GET /v2/models/{m}/config for models of the server's own configuration: Triton's shape, true to how the model batches.</summary>
public sealed class ModelConfigRouteTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task AModelBatchedOnAnotherAxis_IsDescribedWithNoBatchAxis_AndItsFullDims()
    {
        await factory.ModelsLoadedAsync();
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/v2/models/vad/config", UriKind.Relative)); // state batched on axis 1, sr shared
        var config = await response.Content.ReadFromJsonAsync<JsonElement>();
        var dims = config.GetProperty("input").EnumerateArray().ToDictionary(
            i => i.GetProperty("name").GetString()!, i => i.GetProperty("dims").EnumerateArray().Select(d => long.Parse(d.GetString() ?? d.GetRawText(), System.Globalization.CultureInfo.InvariantCulture)).ToArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(config.TryGetProperty("max_batch_size", out var max) && max.GetInt32() != 0, $"max_batch_size {max}");
        Assert.Equal(3, dims["state"].Length); // [2, N, 128]: the 2 is not taken for a batch axis
        Assert.Equal([2L, 128L], new[] { dims["state"][0], dims["state"][2] });
    }
}
