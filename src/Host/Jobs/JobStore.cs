using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ModelActors.Host.Server;

namespace ModelActors.Host.Jobs;

/// <summary>
/// The server's jobs, in memory: at most <see cref="ServerOptions.MaxJobs"/> kept (ended ones are dropped
/// oldest first to make room, and after <see cref="ServerOptions.JobRetention"/>); a stopping server cancels the
/// running ones. Jobs do not survive a restart.
/// </summary>
internal sealed class JobStore
{
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _admission = new();
    private readonly ServerOptions _options;
    private readonly TimeProvider _time;

    public JobStore(IOptions<ServerOptions> options, IHostApplicationLifetime lifetime, TimeProvider? time = null)
    {
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        lifetime.ApplicationStopping.Register(() =>
        {
            foreach (var job in _jobs.Values)
            {
                job.Cancel("the server is stopping");
            }
        });
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>A new job for <paramref name="total"/> items of <paramref name="model"/>, or null when the store is full of jobs still running.</summary>
    public Job? Add(string model, int total)
    {
        lock (_admission)
        {
            DropExpired();
            if (_jobs.Count >= _options.MaxJobs)
            {
                foreach (var ended in _jobs.Values.Where(j => j.IsEnded).OrderBy(j => j.Ended).Take(_jobs.Count - _options.MaxJobs + 1).ToList())
                {
                    _jobs.TryRemove(ended.Id, out _);
                }

                if (_jobs.Count >= _options.MaxJobs)
                {
                    return null;
                }
            }

            var job = new Job(Guid.NewGuid().ToString("N"), model, total, Now);
            _jobs[job.Id] = job;
            return job;
        }
    }

    public Job? Get(string id)
    {
        DropExpired();
        return _jobs.GetValueOrDefault(id);
    }

    /// <summary>Every job kept, newest first.</summary>
    public IEnumerable<Job> All()
    {
        DropExpired();
        return _jobs.Values.OrderByDescending(j => j.Created);
    }

    /// <summary>Forgets an ended job.</summary>
    public bool Remove(Job job) => job.IsEnded && _jobs.TryRemove(job.Id, out _);

    private void DropExpired()
    {
        var before = Now - _options.JobRetention;
        foreach (var job in _jobs.Values)
        {
            if (job.Ended is { } ended && ended < before)
            {
                _jobs.TryRemove(job.Id, out _);
            }
        }
    }
}
