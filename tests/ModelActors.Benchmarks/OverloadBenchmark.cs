using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ModelActors.Benchmarks;

/// <summary>
/// <c>overload URL BODY RATE SECONDS MAX-CONNECTIONS DEADLINE-MS PID</c>: an open-loop HTTP load generator for
/// docs/BENCHMARKS.md §8. It starts RATE requests per second (POST BODY to URL) whatever the server's pace, on up to
/// MAX-CONNECTIONS keep-alive connections (one request each at a time; a request due while all are busy is not sent,
/// and counted), and gives each DEADLINE-MS + 2 s
/// to be answered. It samples the server's RSS (process PID) every second and the kernel's listen-queue overflows,
/// and prints one JSON object: outcomes, latencies of the 200s, RSS first/peak/first-minute/last-minute.
/// </summary>
/// <remarks>
/// Ours because wrk is closed-loop (a slow server slows its arrivals, hiding overload) and `modelactors bench` too;
/// this client uses HttpClient (SocketsHttpHandler), which costs more CPU per request than a raw-socket client: on a
/// 2-core machine it takes its share from the server, so capacity is measured with it running.
/// </remarks>
internal static class OverloadBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var url = new Uri(args[0]);
        var body = await File.ReadAllBytesAsync(args[1]);
        var rate = double.Parse(args[2], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
        var maxConnections = int.Parse(args[4], CultureInfo.InvariantCulture);
        var deadline = TimeSpan.FromMilliseconds(double.Parse(args[5], CultureInfo.InvariantCulture)) + TimeSpan.FromSeconds(2);
        var pid = int.Parse(args[6], CultureInfo.InvariantCulture);

        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = deadline,
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var outcomes = new Outcomes();
        var rss = new List<long>();
        var overflowsBefore = ListenOverflows();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do
            {
                rss.Add(Rss(pid));
            }
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false) is true);
        }, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);

        var clock = Stopwatch.StartNew();
        long sent = 0;
        long notSent = 0;
        var total = (long)(rate * seconds);
        using var connections = new SemaphoreSlim(maxConnections); // one request per HTTP/1.1 connection at a time
        while (sent + notSent < total)
        {
            var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate));
            for (; sent + notSent < due;)
            {
                if (connections.Wait(0))
                {
                    sent++;
                    _ = SendAsync(client, url, body, deadline, outcomes).ContinueWith(_ => connections.Release(), TaskScheduler.Default);
                }
                else
                {
                    notSent++; // every connection is waiting for an answer: the request is dropped by the client, and counted
                }
            }

            Thread.Sleep(1); // pacing of an open-loop generator, not a wait for a condition
        }

        for (var i = 0; i < maxConnections; i++)
        {
            await connections.WaitAsync().ConfigureAwait(false); // every request answered or past its deadline
        }

        var elapsed = clock.Elapsed;
        await stop.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var overflows = ListenOverflows() - overflowsBefore;
        Console.WriteLine(outcomes.Report(rate, elapsed, rss, overflows, sent, notSent));
    }

    private static async Task SendAsync(HttpClient client, Uri url, byte[] body, TimeSpan deadline, Outcomes outcomes)
    {
        var start = Stopwatch.GetTimestamp();
        using var cancel = new CancellationTokenSource(deadline);
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(url, content, cancel.Token).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(cancel.Token).ConfigureAwait(false);
            outcomes.Answered(response.StatusCode, Stopwatch.GetElapsedTime(start), response.Headers.RetryAfter is not null);
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            outcomes.Unanswered(exception);
        }
    }

    private static long Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The kernel's TcpExt ListenOverflows counter (connections dropped because an accept queue was full).</summary>
    private static long ListenOverflows()
    {
        var lines = File.ReadAllLines("/proc/net/netstat").Where(l => l.StartsWith("TcpExt:", StringComparison.Ordinal)).ToArray();
        var names = lines[0].Split(' ');
        var values = lines[1].Split(' ');
        return long.Parse(values[Array.IndexOf(names, "ListenOverflows")], CultureInfo.InvariantCulture);
    }

    private sealed class Outcomes
    {
        private readonly Lock _gate = new();
        private readonly List<double> _okMs = [];
        private readonly Dictionary<int, long> _statuses = [];
        private readonly Dictionary<string, long> _unanswered = [];
        private long _refusedWithoutRetryAfter;

        public void Answered(HttpStatusCode status, TimeSpan latency, bool retryAfter)
        {
            lock (_gate)
            {
                _statuses[(int)status] = _statuses.GetValueOrDefault((int)status) + 1;
                if (status == HttpStatusCode.OK)
                {
                    _okMs.Add(latency.TotalMilliseconds);
                }
                else if (status == HttpStatusCode.TooManyRequests && !retryAfter)
                {
                    _refusedWithoutRetryAfter++;
                }
            }
        }

        public void Unanswered(Exception exception)
        {
            var kind = exception is OperationCanceledException ? "no answer within deadline + 2 s" : exception.GetType().Name + ": " + (exception.InnerException?.Message ?? exception.Message);
            lock (_gate)
            {
                _unanswered[kind] = _unanswered.GetValueOrDefault(kind) + 1;
            }
        }

        public string Report(double rate, TimeSpan elapsed, List<long> rss, long overflows, long sent, long notSent)
        {
            lock (_gate)
            {
                _okMs.Sort();
                double P(double q) => _okMs.Count == 0 ? 0 : _okMs[Math.Min(_okMs.Count - 1, (int)(q * _okMs.Count))];
                double Mean(IEnumerable<long> values) => values.DefaultIfEmpty(0).Average();
                var minute = Math.Min(60, rss.Count / 2);
                return System.Text.Json.JsonSerializer.Serialize(new
                {
                    offered_per_second = rate,
                    sent,
                    not_sent_all_connections_busy = notSent,
                    seconds = Math.Round(elapsed.TotalSeconds, 1),
                    statuses = _statuses.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value),
                    ok_per_second = Math.Round(_okMs.Count / elapsed.TotalSeconds),
                    refused_without_retry_after = _refusedWithoutRetryAfter,
                    unanswered = _unanswered,
                    ok_latency_ms = new { p50 = Math.Round(P(0.5), 1), p99 = Math.Round(P(0.99), 1), max = Math.Round(_okMs.LastOrDefault(), 1) },
                    rss_mib = new
                    {
                        first = rss.FirstOrDefault(),
                        peak = rss.DefaultIfEmpty(0).Max(),
                        first_minute_mean = Math.Round(Mean(rss.Take(minute))),
                        last_minute_mean = Math.Round(Mean(rss.TakeLast(minute))),
                    },
                    listen_overflows = overflows,
                });
            }
        }
    }
}
