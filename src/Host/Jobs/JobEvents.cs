using System.Text.Json;

namespace ModelActors.Host.Jobs;

/// <summary>
/// What the job actors and the job manager write to the journal (events and snapshots). Each kind is stored under a
/// stable name of ours by <see cref="JobEventSerializer"/>, never under its .NET type name, so renaming a type or
/// moving it to another assembly does not break recovery.
/// </summary>
internal interface IJobRecord;

/// <summary>The kinds of job: a typed model's JSON items, or a tensor model's v2 inference requests.</summary>
internal static class JobKind
{
    /// <summary>Items of a C# model, each a JSON value of its item type.</summary>
    public const string Typed = "typed";

    /// <summary>Items of a tensor model, each a v2 inference request (JSON).</summary>
    public const string Tensor = "tensor";
}

/// <summary>The states a job is in.</summary>
internal static class JobStatus
{
    public const string Running = "running";

    /// <summary>Kept, waiting for one of the <see cref="JobOptions.MaxRunning"/> jobs running to end.</summary>
    public const string Queued = "queued";
    public const string Finished = "finished";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
}

/// <summary>A job was accepted: its model, kind and items (a JSON array, each element one item), at <paramref name="Created"/>.</summary>
internal sealed record JobSubmitted(string Id, string Model, string Kind, byte[] Items, int Total, DateTimeOffset Created) : IJobRecord;

/// <summary>The job began to run at <paramref name="At"/> (it may have waited, queued, since it was created).</summary>
internal sealed record JobStarted(DateTimeOffset At) : IJobRecord;

/// <summary>Items <paramref name="Start"/>… were answered, in input order (one event per chunk, not per item).</summary>
internal sealed record JobItemsDone(int Start, IReadOnlyList<JobItem> Items) : IJobRecord;

/// <summary>The job ended: finished, cancelled (with its reason) or failed (with its reason).</summary>
internal sealed record JobEnded(string Status, string? Reason, DateTimeOffset At) : IJobRecord;

/// <summary>One item's answer: its result as JSON, or the error message naming the model.</summary>
internal sealed record JobItem(JsonElement? Result, string? Error)
{
    private static readonly JsonElement JsonNull = JsonDocument.Parse("null").RootElement;

    /// <summary>
    /// Item <paramref name="index"/>'s answer as the routes show it. A result that is JSON null reads back from the
    /// journal as no result at all (a null <see cref="JsonElement"/>?): without an error it is shown as null, the same
    /// before and after a restart.
    /// </summary>
    public JobResult View(int index) => new(index, Error is null ? Result ?? JsonNull : null, Error);
}

/// <summary>A group of items answered together, with the journal sequence number of its event (what a watcher resumes from).</summary>
internal sealed record JobGroup(long Sequence, int Start, int Count);

/// <summary>A job's whole state: what was submitted, when it began to run, the answers and their groups, the end.</summary>
internal sealed record JobSnapshot(JobSubmitted Submitted, long SubmittedSequence, IReadOnlyList<JobItem?> Items, IReadOnlyList<JobGroup> Groups, JobEnded? Ended, long EndedSequence, DateTimeOffset? Started = null) : IJobRecord;

/// <summary>
/// The manager admitted a job (its record, for listing and limits, before the job's own events), with the client's
/// idempotency key and the submission's fingerprint when a key was given.
/// </summary>
internal sealed record JobAdmitted(string Id, string Model, string Kind, int Total, DateTimeOffset Created, string? Key = null, string? Fingerprint = null) : IJobRecord;

/// <summary>The manager saw a job end, with its final counts and when it had begun to run (null: it never ran).</summary>
internal sealed record JobClosed(string Id, string Status, int Succeeded, int Failed, DateTimeOffset At, DateTimeOffset? Started = null) : IJobRecord;

/// <summary>The manager forgot a job (expired or deleted; its events are deleted too).</summary>
internal sealed record JobRemoved(string Id) : IJobRecord;

/// <summary>The manager's records at a point in its journal.</summary>
internal sealed record JobManagerSnapshot(IReadOnlyList<JobRecord> Jobs) : IJobRecord;

/// <summary>What the manager keeps of a job: enough to list it, count it against the limit and expire it.</summary>
internal sealed record JobRecord(string Id, string Model, string Kind, int Total, DateTimeOffset Created, string Status, int Succeeded, int Failed, DateTimeOffset? Ended, string? Key = null, string? Fingerprint = null, DateTimeOffset? Started = null);
