using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

/// <summary>The errors ASP.NET answers by itself (no route, wrong method, a query value that does not bind) carry the server's JSON error naming what was wrong.</summary>
public sealed class FrameworkErrorTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Theory]
    [InlineData("GET", "/nothing/here", HttpStatusCode.NotFound, "No route for GET /nothing/here")]
    [InlineData("GET", "/v2/models/echo/infer", HttpStatusCode.MethodNotAllowed, "/v2/models/echo/infer does not take GET; it takes POST")]
    [InlineData("DELETE", "/models/echo/predict", HttpStatusCode.MethodNotAllowed, "does not take DELETE")]
    [InlineData("GET", "/jobs/0123/results?wait=abc", HttpStatusCode.BadRequest, "wait\" from \"abc\"")]
    [InlineData("GET", "/jobs/0123/events?items=maybe", HttpStatusCode.BadRequest, "items\" from \"maybe\"")]
    public async Task AnErrorTheFrameworkAnswers_HasAJsonBodyNamingIt(string method, string route, HttpStatusCode status, string message)
    {
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(route, UriKind.Relative)));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
