using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ModelActors.Host.Tests;

/// <summary>POST /models/{m}/predict and /predict-batch on the default models, and how errors become HTTP answers.</summary>
public sealed class TypedEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Predict_TakesOneJsonItem_AndAnswersItsResult()
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsync(new Uri("/models/word-count/predict", UriKind.Relative), Json("\"one two three\""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, await response.Content.ReadFromJsonAsync<int>());
    }

    [Fact]
    public async Task PredictBatch_TakesAJsonArray_AndAnswersTheResultsInOrder()
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsync(new Uri("/models/word-count/predict-batch", UriKind.Relative), Json("""["a b", "c", "d e f"]"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var counts = await response.Content.ReadFromJsonAsync<int[]>();
        Assert.Equal(new[] { 2, 1, 3 }, counts);
    }

    [Theory]
    [InlineData("/models/wordcount/predict", "\"x\"", HttpStatusCode.NotFound, "Did you mean 'word-count'?")]
    [InlineData("/models/word-count/predict", "{\"text\": ", HttpStatusCode.BadRequest, "Model 'word-count' takes a String item as JSON")]
    [InlineData("/models/word-count/predict", "42", HttpStatusCode.BadRequest, "Model 'word-count' takes a String item as JSON")]
    [InlineData("/models/word-count/predict", "null", HttpStatusCode.BadRequest, "the body is empty or null")]
    [InlineData("/models/word-count/predict-batch", "\"not an array\"", HttpStatusCode.BadRequest, "a JSON array of String items")]
    [InlineData("/models/word-count/predict-batch", "[\"a\", null]", HttpStatusCode.BadRequest, "Model 'word-count' takes a JSON array of String items; item 1 is null.")]
    public async Task BadRequests_AreAnsweredWithAnErrorNamingWhatWasWrong(string route, string body, HttpStatusCode status, string message)
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsync(new Uri(route, UriKind.Relative), Json(body));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLibrarysErrors_MapToTheirStatusCodes_WithRetryAfterOnOverload()
    {
        Assert.Equal((429, "2"), await StatusOf(new ModelOverloadedException("m", 8, TimeSpan.FromMilliseconds(1500))));
        Assert.Equal((504, null), await StatusOf(new TimeoutException("Model 'm' did not answer within 30000 ms.")));
        Assert.Equal((503, null), await StatusOf(new ModelStoppedException("m", "it no longer accepts requests.")));
        Assert.Equal((500, null), await StatusOf(new InvalidOperationException("bad weights")));

        var failure = await BodyOf(new InvalidOperationException("bad weights"));
        Assert.Equal("Model 'm' failed: bad weights", failure); // the model's message, never its stack trace
    }

    private static async Task<(int Status, string? RetryAfter)> StatusOf(Exception exception)
    {
        var context = NewContext();
        await HttpErrors.For(exception, "m", context).ExecuteAsync(context);
        return (context.Response.StatusCode, context.Response.Headers.RetryAfter.FirstOrDefault());
    }

    private static async Task<string?> BodyOf(Exception exception)
    {
        var context = NewContext();
        await HttpErrors.For(exception, "m", context).ExecuteAsync(context);
        context.Response.Body.Position = 0;
        return (await JsonDocument.ParseAsync(context.Response.Body)).RootElement.GetProperty("error").GetString();
    }

    private static DefaultHttpContext NewContext() => new()
    {
        RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        Response = { Body = new MemoryStream() },
    };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
