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
internal sealed class JobActor : ReceivePersistentActor, IWithTimers
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

                Context.Parent.Tell(new JobProgressed(_state.Summary()));
                Start();
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
                Start();
            }
            else
            {
                Context.SetReceiveTimeout(_options.IdleAfter); // waiting to run, like a resumed one: its items leave memory when idle
            }
        });
    }

    private void Start()
    {
        try
        {
            _runner = JobRunner.For(_library, _state.Submitted!, Served);
        }
        catch (Exception exception)
        {
            // The model is gone or changed its types since the job was submitted (a restart with another configuration).
            var cause = exception is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : exception;
            End(JobStatus.Failed, $"Model '{_state.Submitted!.Model}': the job cannot run: {cause.Message}");
            return;
        }

        _next = _state.Done;
        _answers.Reset(_state.Done);
        _retryCalls.Clear();
        if (_state.Done >= _state.Total)
        {
            End(JobStatus.Finished, null); // every answer was written before the job's end was
            return;
        }

        RunNext();
    }

    /// <summary>Starts chunks, in input order, until <see cref="JobOptions.ChunksInFlight"/> run (none while paused, ending or waiting to retry).</summary>
    private void RunNext()
    {
        if (_paused || _ending || _answers.Retrying || _runner is null)
        {
            return;
        }

        while (_running < _chunks.InFlight && _next < _state.Total)
        {
            var start = _next;
            var queue = Queue();
            var count = Math.Min(Math.Min(_chunks.Size, ChunkLimit(queue)), _state.Total - start);
            if (_running > 0 && !HasRoom(queue, count))
            {
                break; // the model's queue is busy: the next chunk starts when one of this job's ends
            }

            _next = start + count;
            Run(start, 0, count);
        }
    }

    /// <summary>
    /// Whether the model's <paramref name="queue"/> has room for <paramref name="count"/> more items with half of it left
    /// to other callers (other jobs, requests): jobs yield to the queue instead of filling it and being refused. One
    /// chunk always runs.
    /// </summary>
    private bool HasRoom(ModelDescription? queue, int count) => queue is not { } model
        || model.QueueCapacity <= 0 || model.QueueDepth + _runner!.QueueSlots(count) <= model.QueueCapacity / 2;

    /// <summary>The most items a chunk may take: what half the model's <paramref name="queue"/> holds, when each item takes a place in it (a tensor job).</summary>
    private int ChunkLimit(ModelDescription? queue) => queue is { QueueCapacity: > 0 } model && _runner!.QueueSlots(2) > 1
        ? Math.Max(1, model.QueueCapacity / 2)
        : int.MaxValue;

    /// <summary>The model's queue as it is now; null when the model is no longer served (its chunk then fails or waits on its own).</summary>
    private ModelDescription? Queue()
    {
        try
        {
            return _library.Describe(Served(_state.Submitted!.Model));
        }
        catch (ModelNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Runs items <paramref name="start"/> + <paramref name="offset"/>… (<paramref name="count"/> of them): a chunk (offset 0) or unanswered items of one.</summary>
    private void Run(int start, int offset, int count)
    {
        var alone = _running == 0;
        _running++;
        var instance = _instance;
        var started = _time.GetTimestamp();
        _runner!.RunAsync(start + offset, count, _cancel.Token).PipeTo(
            Self,
            success: answers => new ChunkDone(start, offset, answers.Items, null, instance, started, answers.Timeout, alone),
            failure: e => new ChunkDone(start, offset, [], e, instance, started, null, alone));
    }

    /// <summary>
    /// Takes a chunk's answers (or those of its items run again); writes, in input order, each answered run of items as
    /// it becomes the next one (<see cref="Eventsourced.PersistAsync{TEvent}(TEvent, Action{TEvent})"/>: chunks go on
    /// running while earlier ones are written, and the events that wait for a write go together in the next one). Items
    /// that could not run now (the model overloaded or stopping) run again after a pause, only they: the answers around
    /// them are kept, and no new chunk starts meanwhile.
    /// </summary>
    private void OnChunkDone(ChunkDone chunk)
    {
        _running--;
        if (_ending || !ReferenceEquals(chunk.Instance, _instance))
        {
            AnswerPaused();
            return; // cancelled: late answers are not written
        }

        if (chunk.Failure is { } failure)
        {
            _log.Error(failure, "Job {0}: its chunk at item {1} failed", _id, chunk.Start + chunk.Offset);
            End(JobStatus.Failed, $"Model '{_state.Submitted!.Model}': the job stopped at item {chunk.Start + chunk.Offset}: {failure.Message}");
            AnswerPaused();
            return;
        }

        var items = chunk.Items;
        if (chunk.Timeout is { } timeout)
        {
            if (items.Length == 1 && chunk.Alone)
            {
                items = [new JobItem(null, timeout)]; // it ran alone and still passed the model's timeout: it is the slow one
            }
            else
            {
                _chunks.TimedOut(items.Length); // run again in smaller calls, or fewer at once
            }
        }

        if (_answers.Take(chunk.Start, chunk.Offset, items) && !Array.Exists(items, item => item is null))
        {
            _chunks.Took(items.Length, _time.GetElapsedTime(chunk.Started)); // a refused chunk comes back fast and says nothing
        }

        foreach (var done in _answers.TakeWritable())
        {
            Write(done);
        }

        foreach (var start in _answers.NewRetries())
        {
            Timers.StartSingleTimer(("retry", start), new RetryItems(start), RetryDelay);
        }

        RunRetries();
        RunNext();
        AnswerPaused();
    }

    /// <summary>
    /// Runs again the unanswered items of the run at <paramref name="start"/>, each stretch of them as calls of at most
    /// the current chunk size (smaller after a timeout), no more calls at once than new chunks would make.
    /// </summary>
    private void RunAgain(int start)
    {
        if (_paused || _ending)
        {
            return; // stopping: what is not written runs again after the restart
        }

        var stretches = _answers.RetryStretches(start, _chunks.Size);
        foreach (var (offset, count) in stretches)
        {
            _retryCalls.Enqueue((start, offset, count));
        }

        if (stretches.Count == 0)
        {
            RunNext();
            return;
        }

        RunRetries();
    }

    /// <summary>Starts waiting calls of items to run again while fewer than <see cref="ChunkSizer.InFlight"/> calls run.</summary>
    private void RunRetries()
    {
        while (_retryCalls.Count > 0 && !_paused && !_ending && _running < _chunks.InFlight)
        {
            var (start, offset, count) = _retryCalls.Dequeue();
            Run(start, offset, count);
        }
    }

    private void Write(JobItemsDone done) => PersistAsync(done, e =>
    {
        _state.Apply(e, LastSequenceNr);
        Publish(Progress(_state.Groups[^1]));
        Context.Parent.Tell(new JobProgressed(_state.Summary()));
        SnapshotIfDue();
        if (_state.Done >= _state.Total)
        {
            End(JobStatus.Finished, null);
        }
    });

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

    private JobView View(bool results) => new(_state.Summary(), results ? _state.Results() : null);

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

    /// <summary>
    /// The answers of a chunk's items <paramref name="Offset"/>… (null where an item could not run now), or the failure of
    /// the call as a whole. <paramref name="Start"/> is the first item of the run of answers they belong to.
    /// </summary>
    /// <summary>A call's answers; <paramref name="Timeout"/> when some of its items passed the model's timeout, <paramref name="Alone"/> when no other call of the job ran as it started.</summary>
    private sealed record ChunkDone(int Start, int Offset, JobItem?[] Items, Exception? Failure, object Instance, long Started, string? Timeout, bool Alone);

    /// <summary>Run the unanswered items of the answers at <paramref name="Start"/> again.</summary>
    private sealed record RetryItems(int Start);
}
