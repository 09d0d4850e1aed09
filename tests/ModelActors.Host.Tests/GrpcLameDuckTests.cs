using System.Diagnostics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ModelActors.Host.Grpc.Protocol;

namespace ModelActors.Host.Tests;

/// <summary>
/// SIGTERM on a real gRPC (HTTP/2) port under load: during <c>Server:LameDuck</c> every call is still answered and the
/// server says it is not ready, also on channels that sat idle when the signal came; then Kestrel sends GOAWAY, the
/// calls in flight finish, and new ones fail with <c>UNAVAILABLE</c> (never another status) once the listeners are gone.
/// </summary>
public sealed class GrpcLameDuckTests
{
    private static readonly TimeSpan LameDuck = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Sigterm_UnderLoad_AnswersEveryCallDuringTheLameDuck_ThenCallsFailUnavailable()
    {
        using var server = CliProcess.Start("serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Server:LameDuck=00:00:03");
        var address = await server.GrpcListening.WaitAsync(TimeSpan.FromMinutes(1));

        // Two channels (one HTTP/2 connection each) that answer once before SIGTERM and then sit idle.
        var idle = Enumerable.Range(0, 2).Select(_ => GrpcChannel.ForAddress(address)).ToArray();
        foreach (var channel in idle)
        {
            AssertEcho(await Client(channel).ModelInferAsync(Echo(7)), 7);
        }

        // Eight closed-loop clients, each on its own channel, until a call fails.
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a bound on the loop, not a timing
        var loaded = new CountdownEvent(8);
        var clients = Enumerable.Range(0, 8).Select(i => Task.Run(() => ClosedLoopAsync(address, i, loaded, stop.Token))).ToArray();
        Assert.True(loaded.Wait(TimeSpan.FromMinutes(1)), "the clients never got going");

        var lameDuck = server.OutputLine("Stopping: lame duck for");
        var signalled = Stopwatch.GetTimestamp();
        await server.TerminateAsync();
        await lameDuck.WaitAsync(TimeSpan.FromMinutes(1));
        var ready = await Client(idle[0]).ServerReadyAsync(new ServerReadyRequest());
        var modelReady = await Client(idle[0]).ModelReadyAsync(new ModelReadyRequest { Name = "tensor-echo" });
        var afterSignal = await Task.WhenAll(idle.Select(channel => Client(channel).ModelInferAsync(Echo(11)).ResponseAsync));
        var exit = await server.ExitAsync();
        var logs = await Task.WhenAll(clients);

        Assert.Equal(0, exit);
        Assert.False(ready.Ready);
        Assert.False(modelReady.Ready);
        Assert.All(afterSignal, reply => AssertEcho(reply, 11));
        Assert.Contains("Lame duck over", server.Output, StringComparison.Ordinal);
        foreach (var log in logs)
        {
            Assert.True(log.Answered > 10, $"only {log.Answered} calls answered");
            Assert.NotNull(log.Failure); // the loop ends when the listeners are gone
            Assert.True(log.Failure.StatusCode == StatusCode.Unavailable, $"a call failed with {log.Failure.Status}");
            var failedAfter = Stopwatch.GetElapsedTime(signalled, log.FailedAt);
            Assert.True(failedAfter > LameDuck - TimeSpan.FromSeconds(1), $"a call went unanswered {failedAfter.TotalMilliseconds:F0} ms after SIGTERM, within the lame duck: {log.Failure.Status}");
        }

        foreach (var channel in idle)
        {
            channel.Dispose();
        }
    }

    private static GRPCInferenceService.GRPCInferenceServiceClient Client(GrpcChannel channel) => new(channel);

    private static ModelInferRequest Echo(long value)
    {
        var request = new ModelInferRequest { ModelName = "tensor-echo" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "INT64", Shape = { 1 } });
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<long>([value])));
        return request;
    }

    private static void AssertEcho(ModelInferResponse reply, long value) =>
        Assert.Equal([value], MemoryMarshal.Cast<byte, long>(reply.RawOutputContents[0].Span).ToArray());

    /// <summary>Calls one after another, each checked, until one fails, or the bound is reached.</summary>
    private static async Task<ClientLog> ClosedLoopAsync(string address, int client, CountdownEvent loaded, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var grpc = Client(channel);
        var log = new ClientLog();
        for (var i = 0; i < 200_000 && !cancellationToken.IsCancellationRequested; i++)
        {
            var value = (client * 1_000_000L) + i;
            try
            {
                AssertEcho(await grpc.ModelInferAsync(Echo(value), cancellationToken: cancellationToken), value);
                log.Answered++;
            }
            catch (RpcException exception)
            {
                log.FailedAt = Stopwatch.GetTimestamp();
                log.Failure = exception;
                break;
            }

            if (i == 10)
            {
                loaded.Signal();
            }
        }

        return log;
    }

    private sealed class ClientLog
    {
        public int Answered { get; set; }

        public RpcException? Failure { get; set; }

        public long FailedAt { get; set; }
    }
}
