using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using ModelActors.Host.Server;

namespace ModelActors.Host.Jobs;

/// <summary>
/// The jobs' manager (persistence id <c>job-manager-{ServerId}</c>): admits jobs (at most <see cref="ServerOptions.MaxJobs"/>
/// kept; when full, the oldest ended one makes room, and a new one is refused while all run), finds them by id, lists
/// them, and deletes ended ones after <see cref="ServerOptions.JobRetention"/> (their events too). Its own journal
/// holds a record per job (<see cref="JobAdmitted"/>, <see cref="JobClosed"/>, <see cref="JobRemoved"/>); recovered,
/// it lets every job that had not ended run again, at most <see cref="JobOptions.MaxRunning"/> at once (the others
/// queued, oldest first), and each resumes where its journal stops. It runs under a backoff supervisor
/// (<see cref="SupervisedProps"/>): when its journal fails (a write, or its recovery at start: the database is down),
/// it answers those waiting with <see cref="JobsUnavailable"/> and stops, the supervisor answers the same while it is
/// stopped, and starts it again after a growing pause; it then recovers from its journal and resumes the jobs.
/// </summary>
internal sealed partial class JobManager : ReceivePersistentActor, IWithTimers
{
    /// <summary>The manager saves a snapshot of its records every this many events.</summary>
    private const int SnapshotEvery = 200;

    private readonly ModelLibrary _library;
    private readonly ModelVersions _versions;
    private readonly ServerOptions _options;
    private readonly TimeProvider _time;
    private readonly JobJournalHealth _health;
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobSummary> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _restarts = new(StringComparer.Ordinal); // a job's actor's stops without a chunk written since
    private readonly HashSet<string> _expiring = new(StringComparer.Ordinal);

    /// <summary>Jobs let run (at most <see cref="JobOptions.MaxRunning"/>), until they end.</summary>
    private readonly HashSet<string> _runningJobs = new(StringComparer.Ordinal);

    /// <summary>Jobs kept but not yet let run, oldest first.</summary>
    private readonly List<string> _queued = [];

    /// <summary>Kept jobs submitted with an idempotency key, by key.</summary>
    private readonly Dictionary<string, string> _byKey = new(StringComparer.Ordinal);

    /// <summary>The shortest and longest pause before a manager stopped by a journal failure starts again.</summary>
    internal static readonly (TimeSpan Min, TimeSpan Max) RestartBackoff = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>Clients whose job's admission is being written, by job id: answered <see cref="JobsUnavailable"/> if the write fails.</summary>
    private readonly Dictionary<string, IActorRef> _admitting = new(StringComparer.Ordinal);

    /// <summary>Jobs being deleted on a client's request, and the client to answer once the record is gone.</summary>
    private readonly Dictionary<string, IActorRef> _deleting = new(StringComparer.Ordinal);

    /// <summary>Jobs whose actor is stopping (passivated), with the messages that came for them meanwhile.</summary>
    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _passivating = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _paused;

    public JobManager(ModelLibrary library, ModelVersions versions, ServerOptions options, TimeProvider time, JobJournalHealth? health = null)
    {
        _health = health ?? new JobJournalHealth();
        _library = library;
        _versions = versions;
        _options = options;
        _time = time;

        Recover<SnapshotOffer>(offer =>
        {
            _jobs.Clear();
            _byKey.Clear();
            foreach (var job in ((JobManagerSnapshot)offer.Snapshot).Jobs.OrderBy(j => j.Created))
            {
                _jobs[job.Id] = job;
                if (job.Key is not null)
                {
                    _byKey[job.Key] = job.Id; // the newest job under a key holds it (an older one may still be expiring)
                }
            }
        });
        Recover<IJobRecord>(Apply);
        Recover<RecoveryCompleted>(_ =>
        {
            _health.Recovered();
            Resume();
        });

        Command<SubmitJob>(Submit);
        Command<ListJobs>(_ =>
        {
            ExpireDue();
            Sender.Tell(new JobList([.. _jobs.Values.Where(j => !_expiring.Contains(j.Id)).OrderByDescending(j => j.Created).Select(Summary)]));
        });
        Command<ToJob>(to =>
        {
            ExpireDue();
            if (!_jobs.ContainsKey(to.Id) || _expiring.Contains(to.Id))
            {
                Sender.Tell(new JobNotFound(to.Id));
                return;
            }

            Deliver(to.Id, to.Message, Sender);
        });
        Command<DeleteEndedJob>(delete =>
        {
            ExpireDue();
            if (!_jobs.TryGetValue(delete.Id, out var job) || _expiring.Contains(delete.Id))
            {
                Sender.Tell(new JobNotFound(delete.Id));
            }
            else if (job.Ended is null)
            {
                Deliver(delete.Id, new GetJob(Results: false), Sender);
            }
            else
            {
                Remove(delete.Id, Sender);
            }
        });
        Command<JobProgressed>(Progressed);
        Command<JobNeverWritten>(lost =>
        {
            _live.Remove(lost.Id);
            _expiring.Remove(lost.Id);
            Dequeue(lost.Id);
            RunQueued();
            if (_deleting.Remove(lost.Id, out var client))
            {
                client.Tell(new JobDeleted(lost.Id)); // it had nothing written: deleted is what it is
            }

            if (_jobs.ContainsKey(lost.Id))
            {
                Persist(new JobRemoved(lost.Id), Apply);
            }
        });
        Command<JobDeleted>(deleted => Persist(new JobRemoved(deleted.Id), e =>
        {
            Apply(e);
            _expiring.Remove(deleted.Id);
            if (_deleting.Remove(deleted.Id, out var client))
            {
                client.Tell(deleted);
            }
        }));
        Command<PassivateJob>(passivate =>
        {
            if (!_passivating.ContainsKey(passivate.Id) && !_runningJobs.Contains(passivate.Id) && Context.Child(passivate.Id) is var child && !child.IsNobody())
            {
                // A PoisonPill, not Context.Stop: it stops the actor after the messages already in its mailbox (a stop
                // would drop them); what comes after is held here until it has stopped.
                _passivating[passivate.Id] = [];
                child.Tell(PoisonPill.Instance);
            }
        });
        Command<Terminated>(Stopped);
        Command<RestartJob>(restart =>
        {
            if (_jobs.TryGetValue(restart.Id, out var job) && job.Ended is null && !_paused && _runningJobs.Contains(restart.Id))
            {
                Child(restart.Id);
            }
        });
        Command<PauseJobs>(pause =>
        {
            _paused = true;
            var timeout = _library.Options.DrainTimeout;
            var children = Context.GetChildren().Where(c => !_passivating.ContainsKey(c.Path.Name)).Select(child => child.Ask<JobsPaused>(pause, timeout)).ToList();
            if (!Sender.Equals(Context.System.DeadLetters)) // the first, unanswered pause comes from the host's stopping signal
            {
                Task.WhenAll(children).PipeTo(Sender, success: () => JobsPaused.Instance, failure: _ => JobsPaused.Instance);
            }
        });
        Command<Sweep>(_ => ExpireDue());
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failure => _log.Warning(failure.Cause, "The job manager's snapshot was not saved"));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning(failure.Cause, "The job manager's old snapshots were not deleted"));
    }

    /// <inheritdoc />
    public override string PersistenceId => "job-manager-" + _options.Jobs.ServerId;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The manager's props.</summary>
    public static Props Props(ModelLibrary library, ModelVersions versions, ServerOptions options, TimeProvider time, JobJournalHealth? health = null) =>
        Akka.Actor.Props.Create(() => new JobManager(library, versions, options, time, health));

    /// <summary>
    /// The manager under a backoff supervisor (Akka's <see cref="BackoffSupervisor"/>, the child named <c>manager</c>):
    /// messages to it reach the manager; while the manager is stopped after a journal failure they are answered
    /// <see cref="JobsUnavailable.Restarting"/>, and it starts again after <see cref="RestartBackoff"/>'s pause.
    /// </summary>
    public static Props SupervisedProps(ModelLibrary library, ModelVersions versions, ServerOptions options, TimeProvider time, JobJournalHealth? health = null) =>
        BackoffSupervisor.Props(
            Backoff.OnStop(Props(library, versions, options, time, health), "manager", RestartBackoff.Min, RestartBackoff.Max, randomFactor: 0.2, maxNrOfRetries: -1)
                .WithReplyWhileStopped(JobsUnavailable.Restarting));

    /// <summary>The journal failed a write: those waiting on one are told why, then the manager stops and its supervisor starts it again.</summary>
    /// <param name="cause">Why.</param>
    /// <param name="event">The event not written.</param>
    /// <param name="sequenceNr">Its sequence number.</param>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "The job manager could not write {0} to its journal; it starts again from its journal after a pause", @event.GetType().Name);
        var unavailable = new JobsUnavailable($"The job manager could not write to its journal ({cause.Message}); it starts again in a few seconds: try again then.");
        _health.Failed($"its journal could not be written ({cause.Message})");
        foreach (var client in _admitting.Values.Concat(_deleting.Values))
        {
            client.Tell(unavailable);
        }

        _admitting.Clear();
        _deleting.Clear();
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>The journal could not be read (the database is down, say): the manager stops and its supervisor starts it again.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="message">The event being read, if any.</param>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error(reason, "The job manager could not read its journal; it tries again after a pause (jobs are answered 503 meanwhile)");
        _health.Failed($"its journal could not be read ({reason.Message})");
        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>
    /// A job actor that throws is stopped, not restarted in place: the manager then starts it again from its journal
    /// after a second (and lets it run if it was running), as after a journal failure.
    /// </summary>
    /// <returns>Stop on any exception.</returns>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        var every = TimeSpan.FromTicks(Math.Clamp(_options.JobRetention.Ticks / 10, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));
        Timers.StartPeriodicTimer(Sweep.Instance, Sweep.Instance, every);
    }

    private void Apply(IJobRecord record)
    {
        switch (record)
        {
            case JobAdmitted admitted:
                _jobs[admitted.Id] = new JobRecord(admitted.Id, admitted.Model, admitted.Kind, admitted.Total, admitted.Created, JobStatus.Running, 0, 0, null, admitted.Key, admitted.Fingerprint);
                if (admitted.Key is not null)
                {
                    _byKey[admitted.Key] = admitted.Id;
                }

                break;
            case JobClosed closed when _jobs.TryGetValue(closed.Id, out var job):
                _jobs[closed.Id] = job with { Status = closed.Status, Succeeded = closed.Succeeded, Failed = closed.Failed, Ended = closed.At, Started = closed.Started };
                break;
            case JobRemoved removed:
                Dequeue(removed.Id);
                if (_jobs.Remove(removed.Id, out var gone) && gone.Key is not null && _byKey.TryGetValue(gone.Key, out var holder) && holder == removed.Id)
                {
                    _byKey.Remove(gone.Key); // the key is free again once its job is forgotten
                }

                _live.Remove(removed.Id);
                _restarts.Remove(removed.Id);
                break;
        }
    }

    private void Progressed(JobProgressed progressed)
    {
        var summary = progressed.Job;
        if (!_jobs.TryGetValue(summary.Id, out var job))
        {
            return;
        }

        if (!_live.TryGetValue(summary.Id, out var before) || summary.Succeeded + summary.Failed > before.Succeeded + before.Failed || summary.Ended is not null)
        {
            _restarts.Remove(summary.Id); // a chunk written (or the end): its actor's next stop waits a second again
        }

        _live[summary.Id] = summary;
        if (summary.Status is not (JobStatus.Running or JobStatus.Queued) && job.Ended is null)
        {
            Dequeue(summary.Id);
            RunQueued();
            Persist(new JobClosed(summary.Id, summary.Status, summary.Succeeded, summary.Failed, summary.Ended ?? _time.GetUtcNow(), summary.Started), e =>
            {
                Apply(e);
                SnapshotIfDue();
            });
        }
    }

    /// <summary>Deletes ended jobs older than the retention (their actors delete their events, then the record goes).</summary>
    private void ExpireDue()
    {
        var before = _time.GetUtcNow() - _options.JobRetention;
        foreach (var job in _jobs.Values.Where(j => j.Ended is { } ended && ended < before && !_expiring.Contains(j.Id)).ToList())
        {
            Remove(job.Id, null);
        }
    }

    /// <summary>
    /// Deletes an ended job: its actor deletes its events and stops, then the manager writes <see cref="JobRemoved"/>
    /// and answers <see cref="JobDeleted"/> to <paramref name="client"/> when there is one.
    /// </summary>
    private void Remove(string id, IActorRef? client)
    {
        _expiring.Add(id);
        _live.Remove(id);
        if (client is not null)
        {
            _deleting[id] = client;
        }

        Deliver(id, ExpireJob.Instance, Self);
    }

    private JobSummary Summary(JobRecord job) =>
        _live.TryGetValue(job.Id, out var live) ? live : new JobSummary(
            job.Id, job.Model, job.Kind, _queued.Contains(job.Id) ? JobStatus.Queued : job.Status, job.Total, job.Succeeded, job.Failed,
            job.Ended is null ? (job.Total == 0 ? 1.0 : (double)(job.Succeeded + job.Failed) / job.Total) : 1.0, job.Created, job.Started, job.Ended, null, null);

    private void SnapshotIfDue()
    {
        if (LastSequenceNr % SnapshotEvery == 0)
        {
            SaveSnapshot(new JobManagerSnapshot([.. _jobs.Values]));
        }
    }

    /// <summary>Start an unfinished job's actor again.</summary>
    private sealed record RestartJob(string Id);

    /// <summary>Time to delete expired jobs.</summary>
    private sealed record Sweep
    {
        public static readonly Sweep Instance = new();
    }
}
