using System.Net;
using System.Net.Sockets;

namespace ModelActors.Host.Tests;

/// <summary>Two <c>modelactors serve</c> processes on loopback form a cluster: one answers for a model only the other hosts.</summary>
public sealed class ClusterServeTests
{
    [Fact]
    public async Task A_request_to_one_server_is_answered_by_a_model_the_other_hosts()
    {
        var (portA, portB) = (FreePort(), FreePort());
        var seed = $"akka.tcp://model-actors@127.0.0.1:{portB}";
        string[] common = ["serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "", "--Server:LameDuck=00:00:00.2", "--cluster", "--cluster-hostname", "127.0.0.1", "--cluster-seeds", seed];
        using var b = CliProcess.Start([.. common, "--cluster-port", $"{portB}", "--cluster-models", "word-count,tokenizer"]); // word-count calls tokenizer
        using var a = CliProcess.Start([.. common, "--cluster-port", $"{portA}", "--cluster-models="]); // hosts no model
        var urlA = await a.Listening.WaitAsync(TimeSpan.FromMinutes(1));
        await b.Listening.WaitAsync(TimeSpan.FromMinutes(1));

        // Node a has no replica of word-count: its answer can only come from b (the call waits until b is up).
        var predicted = await CliProcess.RunAsync("predict", "word-count", "\"one two three\"", "--url", urlA);

        await a.TerminateAsync();
        await b.TerminateAsync();
        Assert.True((0, "3") == (predicted.ExitCode, predicted.Output.Trim()), $"predict: {predicted.Error}\n--- a:\n{a.Output}\n{a.Error}\n--- b:\n{b.Output}\n{b.Error}");
        Assert.Equal(0, await b.ExitAsync());
        Assert.Equal(0, await a.ExitAsync());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
