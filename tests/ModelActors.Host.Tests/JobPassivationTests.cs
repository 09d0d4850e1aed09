using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using ModelActors.Host.Jobs;
using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>
/// A job's actor is stopped when idle (<c>Server:Jobs:IdleAfter</c>) only while it waits to run or after it has ended:
/// a running job is never passivated, however long its chunk takes. Akka's TestScheduler runs the idle timeouts on
/// virtual time.
/// </summary>
[Collection(nameof(JobHoldModel))] // the held model's signals are static: its tests run one at a time
public sealed class JobPassivationTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = JobManagerAsks.Wait;

    private static readonly ServerOptions Options = new() { Jobs = new JobOptions { Store = "memory", MaxRunning = 1, IdleAfter = TimeSpan.FromMinutes(1) } };

    private readonly ActorSystem _system = ActorSystem.Create("passivation", ConfigurationFactory.ParseString("""
            akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
            akka.loglevel = OFF
            """).WithFallback(JobPersistence.Hocon(Options)));

    private ModelLibrary _library = null!;
    private IActorRef _jobs = null!;

    private TestScheduler Scheduler => (TestScheduler)_system.Scheduler;

    public async Task InitializeAsync()
    {
        JobHoldModel.Reset();
        _library = ModelLibrary.CreateBuilder().UseActorSystem(_system).AddModel<JobHoldModel>("held").AddModel<CountingModel>("counting").Build();
        await _library.LoadAsync();
        _system.ActorOf(Props.Create<JobDeadLetters>());
        _jobs = _system.ActorOf(JobManager.SupervisedProps(_library, new ModelVersions(), Options, TimeProvider.System), "jobs");
    }

    public async Task DisposeAsync()
    {
        await _library.DisposeAsync();
        await _system.Terminate();
    }

    [Fact]
    public async Task PastIdleAfter_AQueuedJobIsStopped_ButTheRunningOneIsNot()
    {
        var running = Assert.IsType<JobAccepted>(await AskAsync(_jobs, Submit("held", ["a"]))).Job.Id;
        await JobHoldModel.Started.Task.WaitAsync(Wait);
        var queued = Assert.IsType<JobAccepted>(await AskAsync(_jobs, Submit("counting", [1]))).Job;
        Assert.Equal(JobStatus.Queued, queued.Status);
        var runningActor = await ActorOfAsync(running);
        var queuedStopped = (await ActorOfAsync(queued.Id)).WatchAsync();

        Scheduler.Advance(Options.Jobs.IdleAfter * 3);
        Assert.True(await queuedStopped.WaitAsync(Wait)); // the idle timeout is live here: the waiting job went

        // Had the running job's actor timed out too, it would have told the manager to stop it before answering this,
        // and the manager would have sent it its PoisonPill before answering the list; a message sent to the actor
        // itself afterwards would then be a dead letter (answered JobsUnavailable), not the job's view.
        Assert.Equal(JobStatus.Running, Assert.IsType<JobView>(await AskAsync(_jobs, new ToJob(running, new GetJob(false)))).Job.Status);
        Assert.IsType<JobList>(await AskAsync(_jobs, ListJobs.Instance));
        var view = Assert.IsType<JobView>(await AskAsync(runningActor, new GetJob(false)));

        Assert.Equal(JobStatus.Running, view.Job.Status);
        Assert.False(JobHoldModel.Cancelled.Task.IsCompleted); // its held call was never cancelled by a stop

        // The running job ends: the stopped queued one is started again from its journal and runs.
        Assert.IsType<JobView>(await AskAsync(_jobs, new ToJob(running, new CancelJob("done waiting"))));
        var ended = Assert.IsType<JobView>(await AskAsync(_jobs, new ToJob(queued.Id, WhenJobEnded.Instance)));
        Assert.Equal((JobStatus.Finished, 1), (ended.Job.Status, ended.Job.Succeeded));
    }

    private static Task<object> AskAsync(IActorRef actor, object message) => actor.AskBoundedAsync(message);

    /// <summary>Job <paramref name="id"/>'s actor (a child of the supervised manager).</summary>
    private async Task<IActorRef> ActorOfAsync(string id)
    {
        using var timeout = new CancellationTokenSource(Wait);
        var identity = await _system.ActorSelection($"/user/jobs/*/{id}").Ask<ActorIdentity>(new Identify(id), timeout.Token);
        return identity.Subject ?? throw new InvalidOperationException($"Job {id} has no actor.");
    }

    private static SubmitJob Submit<T>(string model, T[] items) => JobManagerAsks.Submit(model, items);
}
