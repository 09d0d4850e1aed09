using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ModelActors.Host.Jobs;

/// <summary>A job's chunks: started in input order within the model's queue and the job's limits, answered, written in order, run again.</summary>
internal sealed partial class JobActor
{
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
            End(JobStatus.Failed, JobTexts.CannotRun(_state.Submitted!.Model, cause));
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

    /// <summary>Starts chunks, in input order, until <see cref="ChunkSizer.InFlight"/> calls run (none while paused, ending or waiting to retry).</summary>
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

        foreach (var (offset, count) in _answers.RetryStretches(start, _chunks.Size))
        {
            _retryCalls.Enqueue((start, offset, count));
        }

        RunRetries();
        RunNext(); // nothing to run again: new chunks go on
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

    /// <summary>
    /// The answers of a chunk's items <paramref name="Offset"/>… (null where an item could not run now), or the failure of
    /// the call as a whole. <paramref name="Start"/> is the first item of the run of answers they belong to;
    /// <paramref name="Timeout"/> is set when some of its items passed the model's timeout, <paramref name="Alone"/> when
    /// no other call of the job ran as it started.
    /// </summary>
    private sealed record ChunkDone(int Start, int Offset, JobItem?[] Items, Exception? Failure, object Instance, long Started, string? Timeout, bool Alone);

    /// <summary>Run the unanswered items of the answers at <paramref name="Start"/> again.</summary>
    private sealed record RetryItems(int Start);
}
