using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

/// <summary>The host started in memory on the default configuration (config/modelactors.json).</summary>
public sealed class HealthEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Live_AnswersTrue()
    {
        using var client = factory.CreateClient();

        var body = await client.GetFromJsonAsync<JsonElement>("/v2/health/live");

        Assert.True(body.GetProperty("live").GetBoolean());
    }

    [Fact]
    public async Task Ready_AnswersTrue_OnceTheDefaultModelsHaveLoaded()
    {
        using var client = factory.CreateClient();
        await factory.ModelsLoadedAsync();

        var response = await client.GetAsync(new Uri("/v2/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task ModelMetadata_DescribesTheDefaultModels_AndUnknownNamesAre404WithTheNearestMatch()
    {
        using var client = factory.CreateClient();
        await factory.ModelsLoadedAsync();

        var wordCount = await client.GetFromJsonAsync<JsonElement>("/v2/models/word-count");
        var missing = await client.GetAsync(new Uri("/v2/models/wordcount", UriKind.Relative));

        Assert.Equal("tokenizer", wordCount.GetProperty("dependencies").GetProperty("tokens").GetString());
        Assert.Equal("Ready", wordCount.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Did you mean 'word-count'?", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task TheDefaultModels_ComposeThroughTheLibrary()
    {
        var library = factory.Services.GetService(typeof(ModelLibrary)) as ModelLibrary;

        var count = await library!.Get<string, int>("word-count").PredictAsync("The quick brown fox, again!");

        Assert.Equal(5, count);
    }
}
