using System.Diagnostics;

namespace ModelActors.Host.Cli;

/// <summary>How one bench call ended.</summary>
internal enum BenchOutcome
{
    /// <summary>Answered with a result.</summary>
    Success,

    /// <summary>Refused for load or shutdown (429, 503, overloaded, stopped).</summary>
    Rejected,

    /// <summary>Any other failure.</summary>
    Error,
}

/// <summary>What a bench run measured. Latencies are over every call (successes, rejections and errors).</summary>
internal sealed record BenchResult(
    int Concurrency, double Seconds, long Requests, long Successes, long Rejections, long Errors,
    double RequestsPerSecond, double P50Ms, double P90Ms, double P99Ms, double MaxMs, string? FirstError);

/// <summary>Drives a call with N concurrent callers, each calling again as soon as its last call returned, for a duration or a request count.</summary>
internal static class BenchRunner
{
    /// <summary>Runs the bench.</summary>
    /// <param name="call">One call and how it ended (its error message, if any).</param>
    /// <param name="concurrency">Concurrent callers.</param>
    /// <param name="duration">How long to run, or null to run <paramref name="requests"/> calls.</param>
    /// <param name="requests">How many calls in all, when no duration is given.</param>
    /// <param name="progress">Told the fraction done (0..1) as it goes.</param>
    /// <param name="cancellationToken">Stops the run early (the figures cover what ran).</param>
    public static async Task<BenchResult> RunAsync(
        Func<CancellationToken, Task<(BenchOutcome Outcome, string? Error)>> call, int concurrency, TimeSpan? duration, long requests,
        Action<double>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var clock = Stopwatch.StartNew();
        var issued = 0L;
        var counts = new long[3];
        string? firstError = null;
        var latencies = new List<long>[concurrency];

        bool More() => duration is { } d ? clock.Elapsed < d : Interlocked.Increment(ref issued) <= requests;

        async Task Caller(int index)
        {
            var mine = latencies[index] = new List<long>(1024);
            while (!cancellationToken.IsCancellationRequested && More())
            {
                var started = Stopwatch.GetTimestamp();
                var (outcome, error) = await call(cancellationToken).ConfigureAwait(false);
                mine.Add(Stopwatch.GetTimestamp() - started);
                Interlocked.Increment(ref counts[(int)outcome]);
                if (error is not null)
                {
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        }

        var callers = Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(() => Caller(i), CancellationToken.None)));
        if (progress is not null)
        {
            while (await Task.WhenAny(callers, Task.Delay(100, CancellationToken.None)).ConfigureAwait(false) != callers)
            {
                // A UI refresh, not a wait for a condition: the run itself is awaited below.
                progress(duration is { } d ? Math.Min(1, clock.Elapsed / d) : Math.Min(1, (double)(counts[0] + counts[1] + counts[2]) / requests));
            }

            progress(1);
        }

        await callers.ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.Where(l => l is not null).SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        var total = counts[0] + counts[1] + counts[2];
        return new BenchResult(concurrency, seconds, total, counts[0], counts[1], counts[2], counts[0] / seconds,
            Percentile(0.50), Percentile(0.90), Percentile(0.99), Percentile(1.0), firstError);
    }
}
