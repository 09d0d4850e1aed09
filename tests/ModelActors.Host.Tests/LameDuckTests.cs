using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModelActors.Host.Tests;

/// <summary>
/// SIGTERM on a real Kestrel port under load: the server is a lame duck for <c>Server:LameDuck</c> (every request still
/// served — 200, the models run on until the listeners are gone — with <c>Connection: close</c>; idle keep-alive
/// connections are not cut), then its listeners stop and it exits 0.
/// </summary>
public sealed class LameDuckTests
{
    private static readonly TimeSpan LameDuck = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Sigterm_UnderLoad_AnswersEveryRequestDuringTheLameDuck_IdleKeepAliveConnectionsToo_ThenTheListenersStop()
    {
        using var server = CliProcess.Start("serve", "--urls", "http://127.0.0.1:0", "--grpc-url", string.Empty, "--Server:LameDuck=00:00:03");
        var url = new Uri(await server.Listening.WaitAsync(TimeSpan.FromMinutes(1)));

        // Four keep-alive connections that answer once before SIGTERM and then sit idle (the case that lost requests).
        var idle = Enumerable.Range(0, 4).Select(_ => new HttpClient { BaseAddress = url }).ToArray();
        foreach (var client in idle)
        {
            using var first = await Echo(client);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // Sixteen closed-loop clients, each on its own keep-alive connection, until the server refuses or cuts them.
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a bound on the loop, not a timing
        var loaded = new CountdownEvent(16);
        var clients = Enumerable.Range(0, 16).Select(_ => Task.Run(() => ClosedLoopAsync(url, loaded, stop.Token))).ToArray();
        Assert.True(loaded.Wait(TimeSpan.FromMinutes(1)), "the clients never got going");

        var lameDuck = server.OutputLine("Stopping: lame duck for");
        var signalled = Stopwatch.GetTimestamp();
        await server.TerminateAsync();
        await lameDuck.WaitAsync(TimeSpan.FromMinutes(1));
        var afterSignal = await Task.WhenAll(idle.Select(async client =>
        {
            using var response = await Echo(client); // on the connection that was idle when SIGTERM came
            return (response.StatusCode, Close: response.Headers.ConnectionClose == true);
        }));
        using var job = await idle[0].PostAsync(new Uri("/jobs/echo", UriKind.Relative), new StringContent("[\"x\"]", Encoding.UTF8, "application/json"));
        var exit = await server.ExitAsync();
        var logs = await Task.WhenAll(clients);

        Assert.Equal(0, exit);
        Assert.All(afterSignal, a => Assert.True(a.StatusCode is HttpStatusCode.OK && a.Close, $"{a.StatusCode}, close: {a.Close}")); // served: the models run until the listeners are gone
        Assert.Contains("Lame duck over", server.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, job.StatusCode); // no new job once stopping: it would be cancelled at once
        Assert.Contains("The server is stopping", await job.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var log in logs)
        {
            Assert.True(log.Statuses.All(s => s is HttpStatusCode.OK), string.Join(", ", log.Statuses.Distinct()));
            Assert.True(log.ClosedByServer > 0, "no answer during the lame duck said Connection: close");
            Assert.NotNull(log.Failure); // the loop ends when the listeners are gone
            var failedAfter = Stopwatch.GetElapsedTime(signalled, log.FailedAt);
            Assert.True(failedAfter > LameDuck - TimeSpan.FromSeconds(1), $"a request went unanswered {failedAfter.TotalMilliseconds:F0} ms after SIGTERM, within the lame duck: {log.Failure}");
        }

        foreach (var client in idle)
        {
            client.Dispose();
        }
    }

    private static Task<HttpResponseMessage> Echo(HttpClient client) =>
        client.PostAsync(new Uri("/models/echo/predict", UriKind.Relative), new StringContent("\"x\"", Encoding.UTF8, "application/json"));

    /// <summary>Sends requests one after another until one gets no HTTP answer (refused or cut), or the bound is reached.</summary>
    private static async Task<ClientLog> ClosedLoopAsync(Uri url, CountdownEvent loaded, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = url };
        var log = new ClientLog();
        for (var i = 0; i < 200_000 && !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await Echo(client);
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                log.Statuses.Add(response.StatusCode);
                log.ClosedByServer += response.Headers.ConnectionClose == true ? 1 : 0;
            }
            catch (HttpRequestException exception)
            {
                log.FailedAt = Stopwatch.GetTimestamp();
                log.Failure = exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "refused" : exception.ToString();
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
        public List<HttpStatusCode> Statuses { get; } = [];

        public int ClosedByServer { get; set; }

        public string? Failure { get; set; }

        public long FailedAt { get; set; }
    }
}
