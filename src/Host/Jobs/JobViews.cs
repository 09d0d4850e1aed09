using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelActors.Host.Jobs;

/// <summary>A job as its routes show it (JSON, snake case where two words).</summary>
internal sealed record JobSummary(
    string Id,
    string Model,
    string Kind,
    string Status,
    int Total,
    int Succeeded,
    int Failed,
    double Progress,
    DateTimeOffset Created,
    DateTimeOffset? Started,
    DateTimeOffset? Ended,
    [property: JsonPropertyName("cancel_reason")] string? CancelReason,
    [property: JsonPropertyName("failure")] string? Failure);

/// <summary>One item's answer as the results route shows it: the result, or the error.</summary>
internal sealed record JobResult(
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

/// <summary>A job's progress as its watch shows it.</summary>
internal sealed record JobProgressView(int Done, int Total, int Succeeded, int Failed);

/// <summary>A job and (when asked for) its answers so far.</summary>
internal sealed record JobView(JobSummary Job, List<JobResult>? Results)
{
    /// <summary>The journal sequence number of the job's last event: no watch resumes after a later one (not shown).</summary>
    [JsonIgnore]
    public long LastEventId { get; init; }
}

/// <summary>
/// One Server-Sent Event of a job's watch: <c>progress</c>, <c>item</c> or the end (<c>finished</c>, <c>cancelled</c>,
/// <c>failed</c>), with the journal sequence number of the event it comes from as its id (null for item events, which
/// precede their group's progress event).
/// </summary>
internal sealed record JobWatchEvent(string Name, long? Id, object Data)
{
    public bool IsEnd => Name is JobStatus.Finished or JobStatus.Cancelled or JobStatus.Failed;
}
