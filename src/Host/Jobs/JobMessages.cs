using System.Threading.Channels;

namespace ModelActors.Host.Jobs;

/// <summary>The jobs' refusals, worded once for HTTP, gRPC and the manager.</summary>
internal static class JobTexts
{
    /// <summary>
    /// Why a job cannot run (its model is gone, or its types changed since the submit), naming the model as the job does:
    /// a repository model unloaded under the job is said to be so, not listed by the library's inside names (<c>name#g</c>).
    /// </summary>
    public static string CannotRun(string model, Exception cause) =>
        $"Model '{model}': the job cannot run: " + (cause is ModelNotFoundException
            ? "the model is not served now (it was unloaded or removed while the job ran)."
            : cause.Message);

    /// <summary>An idempotency key reused for a different submission.</summary>
    public static string KeyConflict(string key, string id) =>
        $"Idempotency key '{key}' was used for job '{id}', submitted with another model or other items; use a new key for a new job.";

    /// <summary>No such job.</summary>
    public static string NotFound(string id) => $"No job '{id}' (ended jobs are kept for Server:JobRetention).";

    /// <summary>The server is stopping and takes no new job.</summary>
    public static string Stopping(string model) =>
        $"The server is stopping: no new job for model '{model}' is accepted; submit it again after the restart or to another server.";
}

/// <summary>
/// To the manager: accept this job (answered <see cref="JobAccepted"/>, <see cref="JobRefused"/> or
/// <see cref="JobKeyConflict"/>). With an <paramref name="IdempotencyKey"/>, a job kept under the same key is answered
/// instead of a new one (a client retrying a submit whose answer it lost creates no duplicate).
/// </summary>
internal sealed record SubmitJob(string Model, string Kind, byte[] Items, int Total, string? IdempotencyKey = null);

/// <summary>
/// The job was written to the journal and runs: it is done even if the server restarts. <paramref name="Replayed"/>: it
/// was submitted before under the same idempotency key, and this is that job.
/// </summary>
internal sealed record JobAccepted(JobSummary Job, bool Replayed = false);

/// <summary>The idempotency key names a kept job submitted with another model or other items (answered 422 over HTTP).</summary>
internal sealed record JobKeyConflict(string Reason);

/// <summary>
/// The job manager cannot answer now: its journal failed (a write or its recovery) and it starts again after a pause
/// (answered 503 over HTTP, Unavailable over gRPC, with what failed).
/// </summary>
internal sealed record JobsUnavailable(string Reason)
{
    /// <summary>What the manager's supervisor answers while the manager is stopped.</summary>
    public static readonly JobsUnavailable Restarting = new("The job manager is starting again after its journal failed (see the server log); try again in a few seconds.");
}

/// <summary>The job was not accepted (the store is full of running jobs, or the server is stopping).</summary>
internal sealed record JobRefused(string Reason, bool Full);

/// <summary>To the manager: every job kept (answered <see cref="JobList"/>).</summary>
internal sealed record ListJobs
{
    public static readonly ListJobs Instance = new();
}

/// <summary>Every job kept, newest first.</summary>
internal sealed record JobList(IReadOnlyList<JobSummary> Jobs);

/// <summary>To the manager: deliver <paramref name="Message"/> to job <paramref name="Id"/>, or answer <see cref="JobNotFound"/>.</summary>
internal sealed record ToJob(string Id, IJobCommand Message);

/// <summary>No such job (never submitted, or expired).</summary>
internal sealed record JobNotFound(string Id);

/// <summary>A command for one job actor.</summary>
internal interface IJobCommand;

/// <summary>The job's summary and, when <paramref name="Results"/>, its answers so far (answered <see cref="JobView"/>).</summary>
internal sealed record GetJob(bool Results) : IJobCommand;

/// <summary>Answered with <see cref="JobView"/> (with results) once the job has ended.</summary>
internal sealed record WhenJobEnded : IJobCommand
{
    public static readonly WhenJobEnded Instance = new();
}

/// <summary>Cancel the running job (answered <see cref="JobView"/>), or answer the ended job's view.</summary>
internal sealed record CancelJob(string Reason) : IJobCommand;

/// <summary>To the manager: delete the ended job <paramref name="Id"/> and its events (answered <see cref="JobDeleted"/>, <see cref="JobNotFound"/>, or <see cref="JobView"/> when it still runs).</summary>
internal sealed record DeleteEndedJob(string Id);

/// <summary>The job and its events were deleted.</summary>
internal sealed record JobDeleted(string Id);

/// <summary>
/// Write the job's watch events to <paramref name="Writer"/>: those after journal sequence number
/// <paramref name="After"/> at once, then each as it is written; the writer is completed after the end event.
/// </summary>
internal sealed record WatchJob(long After, bool Items, ChannelWriter<JobWatchEvent> Writer) : IJobCommand;

/// <summary>The job's actor took a <see cref="WatchJob"/>.</summary>
internal sealed class WatchRegistered
{
    public static readonly WatchRegistered Instance = new();
}

/// <summary>Stop writing to <paramref name="Writer"/> (its client went away).</summary>
internal sealed record UnwatchJob(ChannelWriter<JobWatchEvent> Writer) : IJobCommand;

/// <summary>From a job to the manager: its counts changed (kept in memory, for listing).</summary>
internal sealed record JobProgressed(JobSummary Job);

/// <summary>From a job recovered with no events to the manager: it was admitted but never written (the server stopped between), so forget it.</summary>
internal sealed record JobNeverWritten(string Id);

/// <summary>From an ended, idle job to the manager: stop me (the manager holds messages for it until it has stopped).</summary>
internal sealed record PassivateJob(string Id);

/// <summary>From the manager to a job: run (it is one of the <see cref="JobOptions.MaxRunning"/>); until then it is queued.</summary>
internal sealed record RunJob : IJobCommand
{
    public static readonly RunJob Instance = new();
}

/// <summary>From the manager to a job: delete your events and stop (answer <see cref="JobDeleted"/> to the manager).</summary>
internal sealed record ExpireJob
{
    public static readonly ExpireJob Instance = new();
}

/// <summary>
/// To the manager and from it to its jobs: the server is stopping; finish the running chunk, write it, start no other,
/// and answer <see cref="JobsPaused"/> once that is done.
/// </summary>
internal sealed record PauseJobs
{
    public static readonly PauseJobs Instance = new();
}

/// <summary>No chunk runs and every answer is written.</summary>
internal sealed record JobsPaused
{
    public static readonly JobsPaused Instance = new();
}
