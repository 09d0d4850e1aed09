using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

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
/// it speaks HTTP/1.1 on raw sockets (<see cref="RawHttpConnection"/>): HttpClient spent its core on itself below 3×.
/// Latency counts from each request's due time, so time spent waiting for the client is in it.
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

        var request = Encoding.ASCII.GetBytes($"POST {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n")
            .Concat(body).ToArray();
        var endpoint = new IPEndPoint(IPAddress.Parse(url.Host), url.Port);
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

        // One worker per connection; the pacer hands out tickets (due times) on schedule while a worker is free, and
        // counts a ticket due while every worker is busy as not sent.
        var tickets = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleWriter = true });
        var busy = 0;
        var workers = Enumerable.Range(0, maxConnections).Select(_ => Task.Run(async () =>
        {
            using var connection = new RawHttpConnection(endpoint);
            await foreach (var due in tickets.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (deadline - Stopwatch.GetElapsedTime(due)).Ticks)));
                try
                {
                    var (status, retryAfter) = await connection.SendAsync(request, cancel.Token).ConfigureAwait(false);
                    outcomes.Answered((HttpStatusCode)status, Stopwatch.GetElapsedTime(due), retryAfter);
                }
                catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
                {
                    outcomes.Unanswered(exception);
                }
                finally
                {
                    Interlocked.Decrement(ref busy);
                }
            }
        })).ToArray();

        var clock = Stopwatch.StartNew();
        var origin = Stopwatch.GetTimestamp();
        long sent = 0;
        long notSent = 0;
        var total = (long)(rate * seconds);
        while (sent + notSent < total)
        {
            var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate));
            for (; sent + notSent < due;)
            {
                if (Volatile.Read(ref busy) < maxConnections)
                {
                    Interlocked.Increment(ref busy);
                    tickets.Writer.TryWrite(origin + (long)((sent + notSent) / rate * Stopwatch.Frequency));
                    sent++;
                }
                else
                {
                    notSent++; // every connection is waiting for an answer: the request is not sent, and counted
                }
            }

            Thread.Sleep(1); // pacing of an open-loop generator, not a wait for a condition
        }

        tickets.Writer.Complete();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        await stop.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var overflows = ListenOverflows() - overflowsBefore;
        Console.WriteLine(outcomes.Report(rate, elapsed, rss, overflows, sent, notSent));
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
