using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

/// <summary>/metrics: the ModelActors meter and ASP.NET Core's request metrics in Prometheus text format.</summary>
public sealed class MetricsEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Metrics_ShowTheModelsRequests_AndTheServersOwn_InPrometheusFormat()
    {
        using var client = factory.CreateClient();
        var library = (ModelLibrary)factory.Services.GetService(typeof(ModelLibrary))!;
        await library.Get<string, int>("word-count").PredictAsync("one two three");
        (await client.GetAsync(new Uri("/v2/health/live", UriKind.Relative))).EnsureSuccessStatusCode();

        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE modelactors_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("model=\"word-count\"", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }
}
