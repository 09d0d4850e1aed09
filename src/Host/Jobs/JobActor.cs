using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ModelActors.Host.Server;

namespace ModelActors.Host.Jobs;

/// <summary>
/// One job, event-sourced (persistence id <c>job-{id}</c>): <see cref="JobSubmitted"/>, then one
/// <see cref="JobItemsDone"/> per chunk of items answered, then <see cref="JobEnded"/>; a snapshot every
/// <see cref="JobOptions.SnapshotEvery"/> events. It runs up to <see cref="JobOptions.ChunksInFlight"/> chunks at once and
/// writes their answers in input order while the next ones run; recovered, it resumes from the first item without a written answer, so no
/// item is run again once its answer is in the journal and none is lost. Watchers get the written events.
/// </summary>
internal sealed partial class JobActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>How long before items that could not run (model overloaded or unreachable) are tried again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly string _id;
    private readonly bool _isNew;
    private readonly ModelLibrary _library;
    private readonly ModelVersions _versions;
    private readonly JobOptions _options;
    private readonly TimeProvider _time;
    private readonly JobState _state = new();
    private readonly List<(ChannelWriter<JobWatchEvent> Writer, bool Items)> _watchers = [];
    private readonly List<IActorRef> _waiting = [];
    private readonly List<IActorRef> _pauseWaiters = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>This incarnation: answers of chunks a restarted instance of the actor started (same address) are dropped.</summary>
    private readonly object _instance = new();
    private JobRunner? _runner;
    private readonly JobAnswers _answers = new();
    private int _next; // the first item not yet started
    private int _running; // calls running (chunks, or items of one run again)

    /// <summary>Calls of items to run again that wait for a place (at most <see cref="ChunkSizer.InFlight"/> calls run at once).</summary>
    private readonly Queue<(int Start, int Offset, int Count)> _retryCalls = new();
    private readonly ChunkSizer _chunks;
    private bool _ending;
    private bool _paused;
    private IActorRef? _expiring;

    public JobActor(string id, bool isNew, ModelLibrary library, ModelVersions versions, JobOptions options, TimeProvider time)
    {
        _id = id;
        _isNew = isNew;
        _library = library;
        _versions = versions;
        _options = options;
        _time = time;
        _chunks = new ChunkSizer(options);
        _state.Queued = true; // until the manager's RunJob: at most JobOptions.MaxRunning jobs run at once

        Recover<SnapshotOffer>(offer => _state.Apply((JobSnapshot)offer.Snapshot, offer.Metadata.SequenceNr));
        Recover<IJobRecord>(record => _state.Apply(record, LastSequenceNr));
        Recover<RecoveryCompleted>(_ => Recovered());

        Command<SubmitJob>(Submit);
        Command<RunJob>(_ =>
        {
            if (!_state.Queued)
            {
                return;
            }

            _state.Queued = false;
            Context.SetReceiveTimeout(null); // running: never passivated
            if (_state.Submitted is not null && _state.Ended is null)
            {
                if (_state.Done > 0)
                {
                    _log.Info("Job {0} of model {1} resumes at item {2} of {3}", _id, _state.Submitted.Model, _state.Done, _state.Total);
                }

                Run();
            }
        });
        Command<ChunkDone>(OnChunkDone);
        Command<RetryItems>(retry => RunAgain(retry.Start));
        Command<GetJob>(get => Sender.Tell(View(get.Results)));
        Command<WhenJobEnded>(_ =>
        {
            if (_state.Ended is null)
            {
                _waiting.Add(Sender);
            }
            else
            {
                Sender.Tell(View(results: true));
            }
        });
        Command<CancelJob>(Cancel);
        Command<WatchJob>(Watch);
        Command<UnwatchJob>(unwatch => _watchers.RemoveAll(w => w.Writer == unwatch.Writer));
        Command<PauseJobs>(_ =>
        {
            _paused = true;
            _pauseWaiters.Add(Sender);
            AnswerPaused();
        });
        Command<ExpireJob>(_ => Expire());
        Command<DeleteMessagesSuccess>(_ => DeleteSnapshots(new SnapshotSelectionCriteria(long.MaxValue)));
        Command<DeleteMessagesFailure>(failure => ExpireFailed(failure.Cause));
        Command<DeleteSnapshotsSuccess>(_ => ExpireDone());
        Command<DeleteSnapshotsFailure>(failure => ExpireFailed(failure.Cause));
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failure => _log.Warning(failure.Cause, "Job {0}: its snapshot was not saved (recovery reads its events instead)", _id));
        Command<ReceiveTimeout>(_ =>
        {
            // Idle and ended (or still waiting to run): the manager stops it (holding what comes meanwhile), so no
            // message reaches a stopping actor. A running job is never passivated.
            Context.SetReceiveTimeout(null);
            if (_state.Ended is not null || _state.Queued)
            {
                Context.Parent.Tell(new PassivateJob(_id));
            }
        });
    }

    /// <inheritdoc />
    public override string PersistenceId => "job-" + _id;

    /// <summary>
    /// The job runs: on its first run when it began is written (a queued job shows none; a resumed one keeps its first),
    /// then the manager hears of it and its first chunks go out.
    /// </summary>
    private void Run()
    {
        if (_state.Started is not null)
        {
            Begin();
            return;
        }

        Persist(new JobStarted(_time.GetUtcNow()), started =>
        {
            _state.Apply(started, LastSequenceNr);
            SnapshotIfDue();
            Begin();
        });

        void Begin()
        {
            Context.Parent.Tell(new JobProgressed(_state.Summary()));
            Start();
        }
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The props of job <paramref name="id"/>'s actor; <paramref name="isNew"/> when it is being submitted, false when resumed.</summary>
    public static Props Props(string id, bool isNew, ModelLibrary library, ModelVersions versions, JobOptions options, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new JobActor(id, isNew, library, versions, options, time));

    /// <summary>The library model serving <paramref name="model"/> now (a repository model's newest version; it changes when the model is replaced).</summary>
    private string Served(string model) => _versions.Resolve(model, null) ?? model;

    /// <summary>The journal refused an event (too large, say): stop, so the manager starts the job again from what was written.</summary>
    /// <param name="cause">Why it was refused.</param>
    /// <param name="event">The event.</param>
    /// <param name="sequenceNr">Its sequence number.</param>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Job {0}: the journal refused event {1} ({2}); the job starts again from what was written", _id, sequenceNr, @event.GetType().Name);
        Context.Stop(Self);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _cancel.Cancel(); // a chunk still running when the actor stops is not written: it runs again after the restart
        _cancel.Dispose();
        foreach (var (writer, _) in _watchers)
        {
            writer.TryComplete();
        }

        base.PostStop();
    }

    private void Recovered()
    {
        if (_state.Submitted is null)
        {
            if (!_isNew)
            {
                Context.Parent.Tell(new JobNeverWritten(_id));
                Context.Stop(Self);
            }

            return;
        }

        Context.Parent.Tell(new JobProgressed(_state.Summary()));
        Context.SetReceiveTimeout(_options.IdleAfter); // ended, or waiting for the manager's RunJob (which clears it)
    }

    private void Submit(SubmitJob submit)
    {
        if (_state.Submitted is not null)
        {
            Sender.Tell(new JobAccepted(_state.Summary(), Replayed: true)); // the same submission again, under its idempotency key
            return;
        }

        var submitted = new JobSubmitted(_id, submit.Model, submit.Kind, submit.Items, submit.Total, _time.GetUtcNow());
        var client = Sender;
        Persist(submitted, e =>
        {
            _state.Apply(e, LastSequenceNr);
            client.Tell(new JobAccepted(_state.Summary()));
            if (!_state.Queued)
            {
                Run();
            }
            else
            {
                Context.SetReceiveTimeout(_options.IdleAfter); // waiting to run, like a resumed one: its items leave memory when idle
            }
        });
    }

    private void Cancel(CancelJob cancel)
    {
        if (_ending && _state.Ended is null)
        {
            var client = Sender;
            DeferAsync(cancel, _ => client.Tell(View(results: false))); // ending already: answer once its end is written
            return;
        }

        if (_state.Ended is not null || _state.Submitted is null)
        {
            Sender.Tell(View(results: false));
            return;
        }

        _cancel.Cancel();
        End(JobStatus.Cancelled, cancel.Reason, Sender);
    }

    private void End(string status, string? reason, IActorRef? client = null)
    {
        if (_ending)
        {
            return;
        }

        _ending = true;
        PersistAsync(new JobEnded(status, reason, _time.GetUtcNow()), e => // async: Persist called inside a PersistAsync handler (the last answers') would leave the actor stashing for good
        {
            _state.Apply(e, LastSequenceNr);
            var view = View(results: true);
            client?.Tell(View(results: false));
            foreach (var waiting in _waiting)
            {
                waiting.Tell(view);
            }

            _waiting.Clear();
            Publish(EndEvent());
            foreach (var (writer, _) in _watchers)
            {
                writer.TryComplete();
            }

            _watchers.Clear();
            Context.Parent.Tell(new JobProgressed(_state.Summary()));
            Context.SetReceiveTimeout(_options.IdleAfter);
        });
    }

    private void SnapshotIfDue()
    {
        if (_options.SnapshotEvery > 0 && LastSequenceNr % _options.SnapshotEvery == 0)
        {
            SaveSnapshot(_state.Snapshot());
        }
    }

    /// <summary>
    /// Writes the job's events after <see cref="WatchJob.After"/> to the watcher, then registers it for the next ones. A
    /// watcher whose buffer is full (a slow reader) is let go: its stream ends, and it resumes with its last event id.
    /// </summary>
    private void Watch(WatchJob watch)
    {
        Sender.Tell(WatchRegistered.Instance); // before its events: the watch is taken (written to, or ended at once)
        var writer = watch.Writer;
        if (_state.Submitted is null)
        {
            writer.TryComplete();
            return;
        }

        if (watch.After < _state.SubmittedSequence && !writer.TryWrite(new JobWatchEvent("progress", _state.SubmittedSequence, new JobProgressView(0, _state.Total, 0, 0))))
        {
            writer.TryComplete();
            return;
        }

        var done = 0;
        var succeeded = 0;
        foreach (var group in _state.Groups)
        {
            for (var i = group.Start; i < group.Start + group.Count; i++)
            {
                done++;
                succeeded += _state.Item(i)!.Error is null ? 1 : 0;
            }

            if (group.Sequence <= watch.After)
            {
                continue;
            }

            var written = (!watch.Items || WriteItems(writer, group))
                && writer.TryWrite(new JobWatchEvent("progress", group.Sequence, new JobProgressView(done, _state.Total, succeeded, done - succeeded)));
            if (!written)
            {
                writer.TryComplete();
                return;
            }
        }

        if (_state.Ended is not null)
        {
            if (_state.EndedSequence > watch.After)
            {
                writer.TryWrite(EndEvent());
            }

            writer.TryComplete();
            return;
        }

        _watchers.Add((writer, watch.Items));
    }

    private void Publish(JobWatchEvent watchEvent)
    {
        var group = watchEvent.Name == "progress" ? _state.Groups[^1] : null;
        _watchers.RemoveAll(watcher =>
        {
            var (writer, items) = watcher;
            if ((!items || group is null || WriteItems(writer, group)) && writer.TryWrite(watchEvent))
            {
                return false;
            }

            writer.TryComplete(); // fallen behind: let go (it resumes with its last event id)
            return true;
        });
    }

    /// <summary>Writes a group's item events; false when the watcher's buffer is full.</summary>
    private bool WriteItems(ChannelWriter<JobWatchEvent> writer, JobGroup group)
    {
        for (var i = group.Start; i < group.Start + group.Count; i++)
        {
            var item = _state.Item(i)!;
            if (!writer.TryWrite(new JobWatchEvent("item", null, item.View(i))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Answers those waiting for the pause once no chunk runs and every answer taken is written.</summary>
    private void AnswerPaused()
    {
        if (_running > 0 || _pauseWaiters.Count == 0)
        {
            return;
        }

        var waiters = _pauseWaiters.ToList();
        _pauseWaiters.Clear();
        DeferAsync(JobsPaused.Instance, paused => waiters.ForEach(w => w.Tell(paused))); // after the writes in progress
    }

    private JobWatchEvent Progress(JobGroup group) =>
        new("progress", group.Sequence, new JobProgressView(_state.Done, _state.Total, _state.Succeeded, _state.Failed));

    private JobWatchEvent EndEvent() => new(_state.Status, _state.EndedSequence, _state.Summary());

    private JobView View(bool results) => new(_state.Summary(), results ? _state.Results() : null) { LastEventId = LastSequenceNr };

    private void Expire()
    {
        _expiring = Sender;
        _cancel.Cancel();
        if (LastSequenceNr == 0)
        {
            ExpireDone();
            return;
        }

        DeleteMessages(LastSequenceNr);
    }

    private void ExpireDone()
    {
        if (_expiring is null)
        {
            return;
        }

        _expiring.Tell(new JobDeleted(_id));
        _expiring = null;
        Context.Stop(Self);
    }

    private void ExpireFailed(Exception cause)
    {
        _log.Warning(cause, "Job {0}: its events were not all deleted; it is forgotten anyway", _id);
        ExpireDone();
    }
}
