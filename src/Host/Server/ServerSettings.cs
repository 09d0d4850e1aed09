using ModelActors.Models;

namespace ModelActors.Host.Server;

/// <summary>
/// Checks the <c>Server</c> section before the server starts: every key is a setting (a misspelt one would be ignored
/// without a word) and every value makes sense (a job chunk of 0 items, a retention below zero, a job store of no jobs).
/// </summary>
internal static class ServerSettings
{
    /// <summary>Throws naming every problem of <paramref name="options"/> as read from <paramref name="configuration"/>.</summary>
    /// <exception cref="InvalidOperationException">One or more settings are wrong; the message names each.</exception>
    public static void Check(IConfiguration configuration, ServerOptions options)
    {
        var problems = new List<string>();
        problems.AddRange(ConfigurationKeys.Unknown(configuration.GetSection("Server"), typeof(ServerOptions), "The server's configuration"));
        problems.AddRange(ConfigurationKeys.Unknown(configuration.GetSection("Server:Jobs"), typeof(Jobs.JobOptions), "The jobs' configuration"));
        var jobs = options.Jobs;
        AtLeast(problems, "Server:MaxJobs", options.MaxJobs, 1);
        AtLeast(problems, "Server:ListenBacklog", options.ListenBacklog, 1);
        AtLeast(problems, "Server:RepositoryPollSecs", options.RepositoryPollSecs, 1);
        AtLeast(problems, "Server:MaxRequestBodySize", options.MaxRequestBodySize, 1);
        AtLeast(problems, "Server:Jobs:ChunkSize", jobs.ChunkSize, 1);
        AtLeast(problems, "Server:Jobs:ChunksInFlight", jobs.ChunksInFlight, 1);
        AtLeast(problems, "Server:Jobs:MaxRunning", jobs.MaxRunning, 1);
        AtLeast(problems, "Server:Jobs:SnapshotEvery", jobs.SnapshotEvery, 0);
        if (jobs.MaxChunkSize < jobs.ChunkSize || jobs.MaxChunkSize > Jobs.JobService.WatchBuffer)
        {
            // A chunk's items are one group of watch events: more than a watcher's buffer holds could never be watched.
            problems.Add($"Server:Jobs:MaxChunkSize is {jobs.MaxChunkSize}: it must be at least Server:Jobs:ChunkSize ({jobs.ChunkSize}) and at most {Jobs.JobService.WatchBuffer} (the events a job's watcher holds).");
        }

        foreach (var (name, value) in new[] { ("Server:JobRetention", options.JobRetention), ("Server:Jobs:ChunkTime", jobs.ChunkTime), ("Server:Jobs:IdleAfter", jobs.IdleAfter) })
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{name} is {value}: it must be above zero.");
            }
        }

        foreach (var (name, value) in new[] { ("Server:LameDuck", options.LameDuck), ("Server:ShutdownGrace", options.ShutdownGrace), ("Server:RetryFailedModels", options.RetryFailedModels), ("Server:ReplacedModelGrace", options.ReplacedModelGrace) })
        {
            if (value < TimeSpan.Zero)
            {
                problems.Add($"{name} is {value}: it must not be below zero.");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }
    }

    private static void AtLeast(List<string> problems, string name, long value, long minimum)
    {
        if (value < minimum)
        {
            problems.Add($"{name} is {value}: it must be at least {minimum}.");
        }
    }
}
