using Akka.Actor;
using ModelActors.Host.Jobs;

namespace ModelActors.Host.Tests;

/// <summary>What the tests that drive the job manager (or a job's actor) directly send and wait for.</summary>
internal static class JobManagerAsks
{
    /// <summary>How long a test waits for an answer, in real time.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>An Ask bounded in real time (on Akka's TestScheduler an Ask never times out on its own).</summary>
    public static async Task<object> AskBoundedAsync(this IActorRef actor, object message)
    {
        using var timeout = new CancellationTokenSource(Wait);
        return await actor.Ask<object>(message, timeout.Token);
    }

    /// <summary>
    /// Waits until the manager <paramref name="jobs"/> lists job <paramref name="id"/> as ended: it writes that (JobClosed)
    /// as it learns of the end and answers nothing else until written, so a list showing the end comes after the write
    /// (and only an ended job is deleted).
    /// </summary>
    public static async Task ClosedAsync(this IActorRef jobs, string id)
    {
        while (Assert.IsType<JobList>(await jobs.AskBoundedAsync(ListJobs.Instance)).Jobs.Single(j => j.Id == id).Status == JobStatus.Running)
        {
            await Task.Yield();
        }
    }

    /// <summary>A typed job of <paramref name="items"/> on <paramref name="model"/>, with an optional idempotency key.</summary>
    public static SubmitJob Submit<T>(string model, T[] items, string? key = null) =>
        new(model, JobKind.Typed, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(items), items.Length, key);
}
