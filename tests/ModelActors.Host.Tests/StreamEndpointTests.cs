using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>POST /models/{m}/stream: NDJSON and Server-Sent Events, input order, the final error event, and a disconnect cancelling the model call.</summary>
public sealed class StreamEndpointTests(StreamServer server) : IClassFixture<StreamServer>
{
    [Fact]
    public async Task AJsonArray_IsAnsweredAsNdjson_OneResultPerLine_InInputOrder()
    {
        using var client = server.CreateClient();

        var response = await client.PostAsync(new Uri("/models/word-count/stream", UriKind.Relative), Json("""["a b", "c", "d e f", "g h"]"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["2", "1", "3", "2"], lines);
    }

    [Fact]
    public async Task NdjsonIn_ServerSentEventsOut_WhenAcceptAsksForThem()
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/models/picky/stream")
        {
            Content = new StringContent("\"one\"\n\"two\"\n\n\"three\"\n", Encoding.UTF8, "application/x-ndjson"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        var response = await client.SendAsync(request);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = ParseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal([(null, "0", "\"ONE\""), (null, "1", "\"TWO\""), (null, "2", "\"THREE\"")], events);
    }

    [Fact]
    public async Task AModelFailure_EndsTheStreamWithAnErrorEvent_NamingTheModelAndItsMessage()
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/models/picky/stream") { Content = Json("""["a", "boom", "c"]""") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        var events = ParseEvents(await (await client.SendAsync(request)).Content.ReadAsStringAsync());

        var last = events[^1];
        Assert.Equal("error", last.Event);
        Assert.Contains("Model 'picky' failed: cannot take 'boom'", JsonDocument.Parse(last.Data).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.All(events[..^1], e => Assert.Equal("\"A\"", e.Data)); // nothing after the failing item
    }

    [Fact]
    public async Task AnItemThatIsNotTheModelsType_EndsTheStreamWithAnErrorNamingIt()
    {
        using var client = server.CreateClient();

        var response = await client.PostAsync(new Uri("/models/picky/stream", UriKind.Relative), Json("""["a", 42]"""));

        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var error = JsonDocument.Parse(lines[^1]).RootElement.GetProperty("error").GetString();
        Assert.Contains("Model 'picky': item 1 of the stream is not a String", error, StringComparison.Ordinal);
        Assert.True(lines.Length <= 2);
    }

    [Fact]
    public async Task AnUnknownModel_Is404BeforeTheStreamStarts()
    {
        using var client = server.CreateClient();

        var response = await client.PostAsync(new Uri("/models/pickyy/stream", UriKind.Relative), Json("[]"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Did you mean 'picky'?", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatDisconnects_CancelsTheModelCallInFlight()
    {
        GateModel.Reset();
        using (var client = server.CreateClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/models/gate/stream") { Content = Json("""["held"]""") })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await GateModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        // Disposing the client closed its connection while the model held the call (its deadline is 30 s away).
        await GateModel.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static List<(string? Event, string? Id, string Data)> ParseEvents(string text)
    {
        var events = new List<(string?, string?, string)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null, id = null, data = string.Empty;
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }

            events.Add((name, id, data));
        }

        return events;
    }
}
