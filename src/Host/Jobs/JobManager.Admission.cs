using Akka.Actor;
using Akka.Event;

namespace ModelActors.Host.Jobs;

/// <summary>
/// Admission: a submit is refused while the server stops or when <see cref="Server.ServerOptions.MaxJobs"/> jobs are kept and
/// none has ended, replayed for an idempotency key already taken by the same submission, refused for one taken by another;
/// an admitted job runs at once while fewer than <see cref="JobOptions.MaxRunning"/> run, else waits its turn, oldest first.
/// </summary>
internal sealed partial class JobManager
{
    private void Resume()
    {
        var unfinished = _jobs.Values.Where(j => j.Ended is null).OrderBy(j => j.Created).ToList();
        if (unfinished.Count > 0)
        {
            _log.Info("Resuming {0} unfinished job(s), {1} at a time (Server:Jobs:MaxRunning)", unfinished.Count, MaxRunning);
        }

        _queued.AddRange(unfinished.Select(j => j.Id));
        RunQueued();
    }

    private int MaxRunning => Math.Max(1, _options.Jobs.MaxRunning);

    /// <summary>Lets the oldest queued jobs run while fewer than <see cref="MaxRunning"/> run (none while the server stops).</summary>
    private void RunQueued()
    {
        while (!_paused && _runningJobs.Count < MaxRunning && _queued.Count > 0)
        {
            var id = _queued[0];
            _queued.RemoveAt(0);
            if (_jobs.TryGetValue(id, out var job) && job.Ended is null && !_expiring.Contains(id))
            {
                _runningJobs.Add(id);
                Deliver(id, RunJob.Instance, Self);
            }
        }
    }

    /// <summary>Job <paramref name="id"/> ended or went: it neither runs nor waits any more (the caller lets the next run).</summary>
    private void Dequeue(string id)
    {
        _runningJobs.Remove(id);
        _queued.Remove(id);
    }

    private void Submit(SubmitJob submit)
    {
        ExpireDue();
        var fingerprint = submit.IdempotencyKey is null ? null : Fingerprint(submit);
        if (submit.IdempotencyKey is { } key && _byKey.TryGetValue(key, out var existing) && !_expiring.Contains(existing))
        {
            if (_jobs[existing].Fingerprint != fingerprint)
            {
                Sender.Tell(new JobKeyConflict(JobTexts.KeyConflict(key, existing)));
            }
            else
            {
                Deliver(existing, submit, Sender); // the job answers with itself, replayed (even while the server stops)
            }

            return;
        }

        if (_paused)
        {
            Sender.Tell(new JobRefused(JobTexts.Stopping(submit.Model), Full: false));
            return;
        }

        if (_jobs.Count - _expiring.Count >= _options.MaxJobs)
        {
            var room = _jobs.Count - _expiring.Count - _options.MaxJobs + 1;
            foreach (var ended in _jobs.Values.Where(j => j.Ended is not null && !_expiring.Contains(j.Id)).OrderBy(j => j.Ended).Take(room).ToList())
            {
                Remove(ended.Id, null);
            }

            if (_jobs.Count - _expiring.Count >= _options.MaxJobs)
            {
                Sender.Tell(new JobRefused($"The server keeps {_options.MaxJobs} jobs (Server:MaxJobs) and none of them has ended (running or queued); try again when one has.", Full: true));
                return;
            }
        }

        var id = Guid.NewGuid().ToString("N");
        var client = Sender;
        _admitting[id] = client;
        Persist(new JobAdmitted(id, submit.Model, submit.Kind, submit.Total, _time.GetUtcNow(), submit.IdempotencyKey, fingerprint), e =>
        {
            _admitting.Remove(id);
            Apply(e);
            SnapshotIfDue();
            var child = Context.ActorOf(JobActor.Props(id, isNew: true, _library, _versions, _options.Jobs, _time), id);
            Context.Watch(child);
            _queued.Add(id); // its items are written either way; it runs now if fewer than MaxRunning do (told before
            RunQueued();     // the submit, so that its answer says so)
            child.Tell(submit, client);
        });
    }

    /// <summary>What a submission is (model, kind and items), as a SHA-256: a key reused for another submission is refused.</summary>
    private static string Fingerprint(SubmitJob submit)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(submit.Model + "\n" + submit.Kind + "\n"));
        hash.AppendData(submit.Items);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
