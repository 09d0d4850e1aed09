using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MyService.Tests;

/// <summary>The service over HTTP, hosted in the test (its models load as the host starts).</summary>
public sealed class PredictRouteTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task PostingATextToTheModel_AnswersItsWordCount()
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/models/word-count/predict", "The quick brown fox");

        response.EnsureSuccessStatusCode();
        Assert.Equal(4, await response.Content.ReadFromJsonAsync<int>());
    }

    [Fact]
    public async Task AnItemOfTheWrongType_IsA400NamingTheModel()
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/models/word-count/predict", new[] { 1, 2 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Model 'word-count'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUnknownModel_IsA404NamingIt()
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/models/word-cuont/predict", "text");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("word-cuont", await response.Content.ReadAsStringAsync());
    }
}
