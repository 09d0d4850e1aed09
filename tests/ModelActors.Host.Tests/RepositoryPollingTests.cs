using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ModelActors.Host.Tests;

/// <summary>Poll mode: the repository rescanned every second; a model added, changed or removed is loaded, replaced or unloaded.</summary>
public sealed class RepositoryPollingTests(PollingRepository server) : IClassFixture<PollingRepository>
{
    [Fact]
    public async Task APoll_LoadsAModelAdded_ReplacesAChangedOne_AndUnloadsARemovedOne()
    {
        using var client = server.CreateClient();
        var timeout = TimeSpan.FromSeconds(60);

        var added = server.Log.WaitForAsync(l => l.StartsWith("Model 'added' loaded", StringComparison.Ordinal));
        server.Write("added/1/model.onnx", TritonRepository.Scale(7));
        await added.WaitAsync(timeout);
        var fromAdded = await Infer(client, "added");

        var replaced = server.Log.WaitForAsync(l => l.StartsWith("Model 'added' loaded (versions: 2)", StringComparison.Ordinal));
        server.Write("added/2/model.onnx", TritonRepository.Scale(8));
        await replaced.WaitAsync(timeout);
        var fromReplaced = await Infer(client, "added");

        var removed = server.Log.WaitForAsync(l => l == "Model 'added' unloaded");
        Directory.Delete(Path.Combine(server.Repository, "added"), recursive: true);
        await removed.WaitAsync(timeout);
        var afterRemoval = await client.PostAsync("/v2/models/added/infer", new StringContent(ControlledRepository.OneRow, Encoding.UTF8, "application/json"));

        Assert.Equal([7f, 14f, 21f], fromAdded);
        Assert.Equal([8f, 16f, 24f], fromReplaced);
        Assert.Equal(HttpStatusCode.NotFound, afterRemoval.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v2/models/scale/infer", new StringContent(ControlledRepository.OneRow, Encoding.UTF8, "application/json"))).StatusCode);
    }

    private static async Task<float[]> Infer(HttpClient client, string model)
    {
        var response = await client.PostAsync($"/v2/models/{model}/infer", new StringContent(ControlledRepository.OneRow, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle())];
    }
}
