namespace ModelActors.Host.Jobs;

/// <summary>
/// A job's state as its events build it: what was submitted, each item's answer, the groups they were written in
/// (with their journal sequence numbers, which a watcher resumes from) and how it ended. The job actor applies
/// events here both when it writes them and when it recovers them, so both paths give the same state.
/// </summary>
internal sealed class JobState
{
    private JobItem?[] _items = [];
    private readonly List<JobGroup> _groups = [];

    public JobSubmitted? Submitted { get; private set; }

    public long SubmittedSequence { get; private set; }

    /// <summary>When the job began to run; null while it waits (queued) and for a job cancelled before it ran.</summary>
    public DateTimeOffset? Started { get; private set; }

    public JobEnded? Ended { get; private set; }

    public long EndedSequence { get; private set; }

    public int Succeeded { get; private set; }

    public int Failed { get; private set; }

    /// <summary>How many items have an answer; they are always the first ones (chunks run in order).</summary>
    public int Done => Succeeded + Failed;

    public int Total => Submitted?.Total ?? 0;

    public IReadOnlyList<JobGroup> Groups => _groups;

    /// <summary>Not written to the journal: whether the job waits for the manager to let it run (see <see cref="JobOptions.MaxRunning"/>).</summary>
    public bool Queued { get; set; }

    public string Status => Ended?.Status ?? (Queued ? JobStatus.Queued : JobStatus.Running);

    public void Apply(IJobRecord record, long sequence)
    {
        switch (record)
        {
            case JobSubmitted submitted:
                Submitted = submitted;
                SubmittedSequence = sequence;
                _items = new JobItem?[submitted.Total];
                break;
            case JobItemsDone done:
                for (var i = 0; i < done.Items.Count; i++)
                {
                    if (_items[done.Start + i] is null)
                    {
                        _items[done.Start + i] = done.Items[i];
                        if (done.Items[i].Error is null)
                        {
                            Succeeded++;
                        }
                        else
                        {
                            Failed++;
                        }
                    }
                }

                _groups.Add(new JobGroup(sequence, done.Start, done.Items.Count));
                break;
            case JobStarted started:
                Started = started.At;
                break;
            case JobEnded ended:
                Ended = ended;
                EndedSequence = sequence;
                break;
            case JobSnapshot snapshot:
                Submitted = snapshot.Submitted;
                SubmittedSequence = snapshot.SubmittedSequence;
                _items = new JobItem?[snapshot.Submitted.Total];
                for (var i = 0; i < snapshot.Items.Count; i++)
                {
                    _items[i] = snapshot.Items[i];
                }

                _groups.Clear();
                _groups.AddRange(snapshot.Groups);
                Started = snapshot.Started;
                Ended = snapshot.Ended;
                EndedSequence = snapshot.EndedSequence;
                Succeeded = _items.Count(i => i is { Error: null });
                Failed = _items.Count(i => i is { Error: not null });
                break;
            default:
                throw new ArgumentException($"A job cannot apply {record.GetType().Name}.", nameof(record));
        }
    }

    /// <summary>The state as a snapshot: copies (the snapshot store writes it while the job goes on), answered items only.</summary>
    public JobSnapshot Snapshot() => new(Submitted!, SubmittedSequence, _items[..Done], [.. _groups], Ended, EndedSequence, Started);

    public JobItem? Item(int index) => _items[index];

    /// <summary>The job as its routes show it: status, progress and times.</summary>
    public JobSummary Summary() => new(
        Submitted!.Id, Submitted.Model, Submitted.Kind, Status, Total, Succeeded, Failed,
        Total == 0 ? 1.0 : (double)Done / Total, Submitted.Created, Started, Ended?.At,
        Ended?.Status == JobStatus.Cancelled ? Ended.Reason : null, Ended?.Status == JobStatus.Failed ? Ended.Reason : null);

    /// <summary>The items answered so far, in input order, each with its result or error.</summary>
    public List<JobResult> Results()
    {
        var results = new List<JobResult>(Done);
        for (var i = 0; i < _items.Length; i++)
        {
            if (_items[i] is { } item)
            {
                results.Add(item.View(i));
            }
        }

        return results;
    }
}
