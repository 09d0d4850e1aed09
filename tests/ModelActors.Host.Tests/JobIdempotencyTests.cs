using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelActors.TestKit;

namespace ModelActors.Host.Tests;

/// <summary>
/// Submitting with an <c>Idempotency-Key</c>: a client that retries a submit whose answer it lost gets the job it made,
/// not a second one — also after a restart, since the key is in the journal — and a key reused for other items is refused.
/// </summary>
public sealed class JobIdempotencyTests : IDisposable
{
    private readonly DataFolder _data = new();

    public void Dispose() => _data.Dispose();

    private static async Task<(HttpStatusCode Status, JsonElement Body, bool Replayed)> SubmitAsync(HttpClient http, string model, string items, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/jobs/{model}") { Content = new StringContent(items, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body, response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Single() == "true");
    }

    [Fact]
    public async Task TheSameKeyTwice_AnswersTheSameJob_Replayed_AndMakesNoSecond()
    {
        await using var server = new JobServer(_data.Path);
        using var http = server.CreateClient();

        var first = await SubmitAsync(http, "counting", "[1, 2, 3]", "order-17");
        var again = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SubmitAsync(http, "counting", "[1, 2, 3]", "order-17")));
        var other = await SubmitAsync(http, "counting", "[1, 2, 3]", "order-18");
        var none = await SubmitAsync(http, "counting", "[1, 2, 3]", null);
        var jobs = await http.GetFromJsonAsync<JsonElement>("/jobs");

        var id = first.Body.GetProperty("id").GetString();
        Assert.Equal((HttpStatusCode.Accepted, false), (first.Status, first.Replayed));
        Assert.All(again, a => Assert.Equal((HttpStatusCode.Accepted, true, id), (a.Status, a.Replayed, a.Body.GetProperty("id").GetString())));
        Assert.NotEqual(id, other.Body.GetProperty("id").GetString());
        Assert.False(none.Replayed);
        Assert.Equal(3, jobs.GetProperty("jobs").GetArrayLength());
    }

    [Fact]
    public async Task AKeyReusedForOtherItems_Is422_NamingTheKeyAndItsJob()
    {
        await using var server = new JobServer(_data.Path);
        using var http = server.CreateClient();

        var first = await SubmitAsync(http, "counting", "[1, 2, 3]", "k1");
        var otherItems = await SubmitAsync(http, "counting", "[1, 2, 4]", "k1");
        var otherModel = await SubmitAsync(http, "word-count", "[\"a\"]", "k1");

        var id = first.Body.GetProperty("id").GetString()!;
        foreach (var refused in new[] { otherItems, otherModel })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
            var error = refused.Body.GetProperty("error").GetString()!;
            Assert.Contains("'k1'", error, StringComparison.Ordinal);
            Assert.Contains(id, error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("é")]
    public async Task ABadKey_Is400_NamingTheHeader(string key)
    {
        await using var server = new JobServer(_data.Path);
        using var http = server.CreateClient();

        var refused = await SubmitAsync(http, "counting", "[1]", key);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("Idempotency-Key", refused.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyKey_IsRefused_NotTakenForNone()
    {
        // The endpoint passes an Idempotency-Key header given empty as "" (TestServer's client drops empty headers, so
        // this is checked here); null is no header at all.
        Assert.Contains("it has 0 character(s)", ModelActors.Host.Jobs.JobItems.CheckKey(string.Empty, "Idempotency-Key"), StringComparison.Ordinal);
        Assert.Null(ModelActors.Host.Jobs.JobItems.CheckKey(null, "Idempotency-Key"));
    }

    [Fact]
    public async Task ATooLongKey_Is400_AndTheLongestTakenIsTaken()
    {
        await using var server = new JobServer(_data.Path);
        using var http = server.CreateClient();

        var refused = await SubmitAsync(http, "counting", "[1]", new string('k', 256));
        var taken = await SubmitAsync(http, "counting", "[1]", new string('k', 255));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("255", refused.Body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, taken.Status);
    }

    [Fact]
    public async Task AKeyWhoseJobExpires_IsTakenByTheNextJob_AndStaysWithIt()
    {
        var clock = new ManualTimeProvider();
        await using var server = new JobServer(_data.Path, new Dictionary<string, string> { ["Server:JobRetention"] = "01:00:00" }, clock);
        using var http = server.CreateClient();
        var first = (await SubmitAsync(http, "counting", "[1]", "daily")).Body.GetProperty("id").GetString()!;
        await http.GetAsync($"/jobs/{first}/results?wait=60");

        clock.Advance(TimeSpan.FromHours(2)); // the first job expires as the next submit arrives
        var second = await SubmitAsync(http, "counting", "[2]", "daily");
        var secondId = second.Body.GetProperty("id").GetString()!;
        await http.GetAsync($"/jobs/{secondId}/results?wait=60");
        using var gone = await http.GetAsync($"/jobs/{first}"); // 404 as soon as its removal has begun (JobKeyRaceTests fixes the order of removal and submit)
        var again = await SubmitAsync(http, "counting", "[2]", "daily");

        Assert.Equal((HttpStatusCode.Accepted, false), (second.Status, second.Replayed));
        Assert.NotEqual(first, secondId);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal((true, secondId), (again.Replayed, again.Body.GetProperty("id").GetString())); // the removal of the first did not free it
    }

    [Fact]
    public async Task TheKey_OutlivesARestart_AndIsFreedWhenItsJobIsDeleted()
    {
        string id;
        await using (var first = new JobServer(_data.Path))
        {
            using var http = first.CreateClient();
            id = (await SubmitAsync(http, "counting", "[5, 6]", "nightly-2026-12-07")).Body.GetProperty("id").GetString()!;
            await http.GetAsync($"/jobs/{id}/results?wait=60");
        }

        await using var second = new JobServer(_data.Path);
        using var client = second.CreateClient();
        var replayed = await SubmitAsync(client, "counting", "[5, 6]", "nightly-2026-12-07");
        using var deleted = await client.DeleteAsync($"/jobs/{id}");
        var fresh = await SubmitAsync(client, "counting", "[5, 6]", "nightly-2026-12-07");

        Assert.Equal((HttpStatusCode.Accepted, true, id), (replayed.Status, replayed.Replayed, replayed.Body.GetProperty("id").GetString()));
        Assert.Equal("finished", replayed.Body.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal((HttpStatusCode.Accepted, false), (fresh.Status, fresh.Replayed));
        Assert.NotEqual(id, fresh.Body.GetProperty("id").GetString());
    }
}
