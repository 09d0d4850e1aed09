using System.Text.Json;

namespace ModelActors.Host.Jobs;

/// <summary>
/// One asynchronous job: a list of items run through a model in the background, chunk by chunk, each item's
/// result or error kept in input order. Its progress (items done and failed) grows as chunks finish; it ends
/// finished (every item answered, some maybe failed) or cancelled (by its client, or the server stopping).
/// </summary>
internal sealed class Job
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly JobItem?[] _items;
    private int _succeeded;
    private int _failed;
    private volatile string _status = JobStatus.Running; // a job runs from the moment it is accepted

    public Job(string id, string model, int total, DateTimeOffset created)
    {
        Id = id;
        Model = model;
        Created = created;
        _items = new JobItem?[total];
    }

    public string Id { get; }

    public string Model { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset? Ended { get; private set; }

    /// <summary>Why the job was cancelled, when it was.</summary>
    public string? CancelReason { get; private set; }

    public string Status => _status;

    public bool IsEnded => _ended.Task.IsCompleted;

    /// <summary>Completes when the job has ended (finished or cancelled).</summary>
    public Task Ending => _ended.Task;

    /// <summary>Cancelled when the job is cancelled: the running chunk's calls and the chunks not started.</summary>
    public CancellationToken Cancellation => _cancel.Token;

    /// <summary>Records item <paramref name="index"/>'s result or error (each item once).</summary>
    public void Record(int index, JobItem item)
    {
        Volatile.Write(ref _items[index], item);
        Interlocked.Increment(ref item.Error is null ? ref _succeeded : ref _failed);
    }

    /// <summary>Asks the job to stop; the runner ends it as cancelled. False when it had already ended.</summary>
    public bool Cancel(string reason)
    {
        if (IsEnded)
        {
            return false;
        }

        CancelReason ??= reason;
        _cancel.Cancel();
        return true;
    }

    /// <summary>Ends the job: cancelled when it was asked to stop before every item was answered, else finished.</summary>
    public void End(DateTimeOffset now)
    {
        Ended = now;
        _status = _cancel.IsCancellationRequested && _succeeded + _failed < _items.Length ? JobStatus.Cancelled : JobStatus.Finished;
        _ended.TrySetResult(); // the token source is not disposed: a late Cancel may still touch it (it holds no timer)
    }

    /// <summary>The job as its routes show it: status, progress and times.</summary>
    public object Summary() => new
    {
        id = Id,
        model = Model,
        status = Status,
        total = _items.Length,
        succeeded = Volatile.Read(ref _succeeded),
        failed = Volatile.Read(ref _failed),
        progress = _items.Length == 0 ? 1.0 : (double)(Volatile.Read(ref _succeeded) + Volatile.Read(ref _failed)) / _items.Length,
        created = Created,
        started = Created,
        ended = Ended,
        cancel_reason = CancelReason,
    };

    /// <summary>The items answered so far, in input order, each with its result or error.</summary>
    public IEnumerable<object> Results()
    {
        for (var i = 0; i < _items.Length; i++)
        {
            if (Volatile.Read(ref _items[i]) is { } item)
            {
                yield return item.Error is null ? new { index = i, result = item.Result } : new { index = i, error = item.Error };
            }
        }
    }
}

/// <summary>One item's answer: its result as JSON, or the error message naming the model.</summary>
internal sealed record JobItem(JsonElement? Result, string? Error);

/// <summary>The states a job is in.</summary>
internal static class JobStatus
{
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Cancelled = "cancelled";
}
