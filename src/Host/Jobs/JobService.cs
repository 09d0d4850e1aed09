using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Microsoft.Extensions.Options;
using ModelActors.Host.Server;

namespace ModelActors.Host.Jobs;

/// <summary>
/// The server's door to its jobs: starts the <see cref="JobManager"/> actor when the host starts (it resumes the jobs
/// a previous run left unfinished), tells it to start no new chunk when the host begins stopping, and turns the HTTP
/// and gRPC routes' calls into messages to it.
/// </summary>
internal sealed class JobService(ActorSystem system, ModelLibrary library, ModelVersions versions, IOptions<ServerOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, JobJournalHealth health) : IHostedService
{
    /// <summary>How long a route waits for the manager or a job to answer.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Events a watcher may have unread: a watcher further behind (a slow reader, or a replay of many items) is let go,
    /// its stream ends, and it resumes with its last event id (Last-Event-ID; Watch's <c>after</c> over gRPC).
    /// </summary>
    internal const int WatchBuffer = 4096;

    private IActorRef? _manager;

    private IActorRef Manager => _manager ?? throw new InvalidOperationException("The job service has not started.");

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        system.ActorOf(Props.Create<JobDeadLetters>(), "jobs-dead-letters");
        _manager = system.ActorOf(JobManager.SupervisedProps(library, versions, options.Value, time, health), "jobs");
        lifetime.ApplicationStopping.Register(() => _manager.Tell(PauseJobs.Instance)); // at once: no chunk starts during the lame duck
        return Task.CompletedTask;
    }

    /// <summary>
    /// Before the models drain (this service stops before the library's, having started after it): every job finishes
    /// its running chunk and writes it, and starts no other, so a graceful restart runs no item twice. Bounded by the
    /// library's drain timeout (a chunk held longer is cancelled by the drain, and runs again after the restart).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_manager is null)
        {
            return;
        }

        // The actor system may be stopping already (Akka.Cluster downing, or a system whose CLR exit hook is on runs
        // CoordinatedShutdown at SIGTERM); a terminated system answers nothing, so its end ends the wait too.
        var paused = _manager.Ask<JobsPaused>(PauseJobs.Instance, library.Options.DrainTimeout + TimeSpan.FromSeconds(1), cancellationToken);
        await Task.WhenAny(paused, system.WhenTerminated).ConfigureAwait(false);
        if (paused.IsFaulted)
        {
            _ = paused.Exception; // observed: a pause that timed out stops anyway, and what was not written runs again after the restart
        }
    }

    /// <summary>Submits a job; the answer is <see cref="JobAccepted"/> (written to the journal) or <see cref="JobRefused"/>.</summary>
    /// <exception cref="JobsBusyException">No answer in time (the journal is slow or unreachable), or the journal failed.</exception>
    public Task<object> SubmitAsync(SubmitJob submit, CancellationToken cancellationToken) =>
        AskAsync<object>(submit, AskTimeout, $"Job for model '{submit.Model}' not confirmed", cancellationToken);

    /// <summary>Every job kept, newest first.</summary>
    public async Task<IReadOnlyList<JobSummary>> ListAsync(CancellationToken cancellationToken) =>
        (await AskAsync<JobList>(ListJobs.Instance, AskTimeout, "The job list", cancellationToken).ConfigureAwait(false)).Jobs;

    /// <summary>Job <paramref name="id"/>'s view (with its answers so far when <paramref name="results"/>), or null when there is no such job.</summary>
    public async Task<JobView?> GetAsync(string id, bool results, CancellationToken cancellationToken) =>
        await AskAsync<object>(new ToJob(id, new GetJob(results)), AskTimeout, $"Job '{id}'", cancellationToken).ConfigureAwait(false) as JobView;

    /// <summary>Job <paramref name="id"/>'s view with its answers once it has ended, or as it is after <paramref name="wait"/>; null when there is no such job.</summary>
    public async Task<JobView?> WaitAsync(string id, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            // At least a millisecond: an Ask with a zero timeout would never time out.
            var limit = wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait;
            return await AskAsync<object>(new ToJob(id, WhenJobEnded.Instance), limit, $"Job '{id}'", cancellationToken).ConfigureAwait(false) as JobView;
        }
        catch (JobsBusyException exception) when (exception.InnerException is AskTimeoutException)
        {
            return await GetAsync(id, results: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cancels job <paramref name="id"/> if it runs; its view after (null when there is no such job).</summary>
    public async Task<JobView?> CancelAsync(string id, string reason, CancellationToken cancellationToken) =>
        await AskAsync<object>(new ToJob(id, new CancelJob(reason)), AskTimeout, $"Job '{id}'", cancellationToken).ConfigureAwait(false) as JobView;

    /// <summary>Deletes ended job <paramref name="id"/>: <see cref="JobDeleted"/>, <see cref="JobNotFound"/>, or its <see cref="JobView"/> when it still runs.</summary>
    public Task<object> DeleteAsync(string id, CancellationToken cancellationToken) =>
        AskAsync<object>(new DeleteEndedJob(id), AskTimeout, $"Job '{id}' not confirmed deleted", cancellationToken);

    private async Task<T> AskAsync<T>(object message, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        if (health.Error is { } failing)
        {
            // Said at once while the journal fails: the manager is retrying it (each try may wait for its timeout).
            throw new JobsBusyException($"{what}: the job store is failing: {failing}. The server tries it again every few seconds (see its log); try again then.", null);
        }

        object answer;
        try
        {
            answer = await Manager.Ask<object>(message, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException exception)
        {
            throw new JobsBusyException($"{what}: the job manager did not answer within {timeout.TotalSeconds:0} s (its journal may be slow or unreachable); try again.", exception);
        }

        return answer switch
        {
            JobsUnavailable unavailable => throw new JobsBusyException($"{what}: {unavailable.Reason}", null),
            T expected => expected,
            _ => throw new InvalidOperationException($"{what}: the job manager answered {answer.GetType().Name}, not {typeof(T).Name}."),
        };
    }

    /// <summary>
    /// Job <paramref name="id"/>'s watch events after journal sequence number <paramref name="after"/>, then each as it
    /// is written, to the end event; null when there is no such job.
    /// </summary>
    /// <exception cref="JobEventIdException"><paramref name="after"/> is past the job's last event: not one of its ids.</exception>
    public async Task<IAsyncEnumerable<JobWatchEvent>?> WatchAsync(string id, long after, bool items, CancellationToken cancellationToken)
    {
        if (await GetAsync(id, results: false, cancellationToken).ConfigureAwait(false) is not { } view)
        {
            return null;
        }

        if (after > view.LastEventId)
        {
            throw new JobEventIdException($"Job '{id}': event id {after} is past its last event ({view.LastEventId}), so it is not an id this job gave; resume from the last id received, or 0 for the start.");
        }

        // Registered with an answer, not told: a job gone since (expired, deleted) or a manager restarting would leave an
        // unanswered watch waiting for its client to go away.
        var channel = Channel.CreateBounded<JobWatchEvent>(new BoundedChannelOptions(WatchBuffer) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        object answer;
        try
        {
            answer = await AskAsync<object>(new ToJob(id, new WatchJob(after, items, channel.Writer)), AskTimeout, $"Watching job '{id}'", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            Manager.Tell(new ToJob(id, new UnwatchJob(channel.Writer))); // in case it is registered after all
            throw;
        }

        return answer is JobNotFound ? null : Read(id, channel, cancellationToken);
    }

    /// <summary>The registered watch, read to its end or until its client goes away; unregistered then.</summary>
    private async IAsyncEnumerable<JobWatchEvent> Read(string id, Channel<JobWatchEvent> channel, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var watchEvent in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return watchEvent;
            }
        }
        finally
        {
            Manager.Tell(new ToJob(id, new UnwatchJob(channel.Writer)));
        }
    }
}

/// <summary>A watch asked to resume after an event id the job never wrote (answered 400 over HTTP, INVALID_ARGUMENT over gRPC).</summary>
/// <param name="message">The job, the id and the job's last one.</param>
internal sealed class JobEventIdException(string message) : Exception(message);

/// <summary>The job manager did not answer in time, or its journal failed (answered 503 over HTTP, Unavailable over gRPC).</summary>
/// <param name="message">What did not answer or failed, and what to do.</param>
/// <param name="inner">The Ask's timeout, when that was it.</param>
internal sealed class JobsBusyException(string message, Exception? inner) : Exception(message, inner);
