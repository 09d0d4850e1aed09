using System.Net;
using System.Text;
using Grpc.Net.Client;
using ModelActors.Host.Grpc.Protocol;

namespace ModelActors.Host.Tests;

/// <summary>A polled repository whose folder goes away: its models serve on, the index says why (503), the poll says so once.</summary>
public sealed class RepositoryGoneTests : IAsyncLifetime
{
    private readonly PollingRepository _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AFolderGone_Is503ForTheIndex_UnloadsNothing_AndIsSaidOnce_ThenPollingResumes()
    {
        using var client = _server.CreateClient();
        var moved = _server.Repository + "-moved";
        var gone = _server.Log.WaitForAsync(l => l.StartsWith($"The model repository {_server.Repository} is gone", StringComparison.Ordinal));
        var back = _server.Log.WaitForAsync(l => l.StartsWith($"The model repository {_server.Repository} is back", StringComparison.Ordinal));
        Directory.Move(_server.Repository, moved);
        try
        {
            await gone.WaitAsync(TimeSpan.FromSeconds(60));
            using var index = await client.PostAsync("/v2/repository/index", new StringContent("{}", Encoding.UTF8, "application/json"));
            using var infer = await client.PostAsync("/v2/models/scale/infer", new StringContent(ControlledRepository.OneRow, Encoding.UTF8, "application/json"));
            using var channel = GrpcChannel.ForAddress(_server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = _server.Server.CreateHandler() });
            var grpc = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => new GRPCInferenceService.GRPCInferenceServiceClient(channel).RepositoryIndexAsync(new RepositoryIndexRequest()).ResponseAsync);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, index.StatusCode);
            Assert.Contains("is gone (no such folder): the models loaded from it still serve", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(global::Grpc.Core.StatusCode.Unavailable, grpc.StatusCode);
            Assert.Equal(HttpStatusCode.OK, infer.StatusCode); // nothing was unloaded
        }
        finally
        {
            Directory.Move(moved, _server.Repository);
        }

        await back.WaitAsync(TimeSpan.FromSeconds(60));
        using var again = await client.PostAsync("/v2/repository/index", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, _server.Log.Lines.Count(l => l.StartsWith($"The model repository {_server.Repository} is gone", StringComparison.Ordinal)));
        Assert.DoesNotContain(_server.Log.Lines, l => l.Contains("failed to poll", StringComparison.Ordinal));
    }
}
