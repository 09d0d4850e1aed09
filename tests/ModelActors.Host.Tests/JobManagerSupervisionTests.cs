using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Akka.Pattern;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Akka.TestKit;
using ModelActors.Host.Jobs;
using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>
/// The job manager when its journal fails: Akka.Persistence.TestKit's journal fails its writes or its reads on demand,
/// and Akka's TestScheduler runs the supervisor's backoff on virtual time (no waiting for real seconds).
/// </summary>
public sealed class JobManagerSupervisionTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("supervision", ConfigurationFactory.ParseString("""
            akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
            akka.loglevel = OFF
            akka.persistence.journal.plugin = "akka.persistence.journal.test"
            akka.persistence.journal.test.class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
            akka.persistence.journal.test.plugin-dispatcher = "akka.actor.default-dispatcher"
            """).WithFallback(JobPersistence.Hocon(new ServerOptions { Jobs = new JobOptions { Store = "memory" } })));

    private readonly JobJournalHealth _health = new();
    private ModelLibrary _library = null!;
    private IActorRef _jobs = null!;
    private ITestJournal _journal = null!;

    private TestScheduler Scheduler => (TestScheduler)_system.Scheduler;

    public async Task InitializeAsync()
    {
        _library = ModelLibrary.CreateBuilder().UseActorSystem(_system).AddModel<CountingModel>("counting").Build();
        await _library.LoadAsync();
        _journal = TestJournal.FromRef(Persistence.Instance.Apply(_system).JournalFor(null));
        _system.ActorOf(Props.Create<JobDeadLetters>());
        _jobs = _system.ActorOf(JobManager.SupervisedProps(_library, new ModelVersions(), new ServerOptions(), TimeProvider.System, _health), "jobs");
    }

    public async Task DisposeAsync()
    {
        await _library.DisposeAsync();
        await _system.Terminate();
    }

    [Fact]
    public async Task AJournalWriteFailure_IsA503NamingIt_ThenTheManagerStartsAgain_AndTakesJobs()
    {
        Assert.IsType<JobList>(await AskAsync(ListJobs.Instance)); // recovered and running
        var manager = await CurrentManagerAsync();
        await _journal.OnWrite.Fail();

        var refused = Assert.IsType<JobsUnavailable>(await AskAsync(Submit(3)));
        Assert.Contains("could not write to its journal", refused.Reason);
        await manager.WatchAsync();
        Assert.StartsWith("its journal could not be written (", _health.Error); // the routes now answer 503 at once, naming it

        // Stopped: answered at once, not left to time out.
        Assert.Same(JobsUnavailable.Restarting, await AnswerWhileStoppedAsync());

        await _journal.OnWrite.Pass();
        Scheduler.Advance(JobManager.RestartBackoff.Max * 2); // the supervisor's backoff, on virtual time
        var accepted = Assert.IsType<JobAccepted>(await AskAsync(Submit(3)));
        Assert.Null(_health.Error); // recovered: the routes ask the manager again
        var ended = Assert.IsType<JobView>(await AskAsync(new ToJob(accepted.Job.Id, WhenJobEnded.Instance)));
        Assert.Equal((JobStatus.Finished, 3), (ended.Job.Status, ended.Job.Succeeded));
        Assert.Single(Assert.IsType<JobList>(await AskAsync(ListJobs.Instance)).Jobs); // the refused one was never admitted
    }

    [Fact]
    public async Task AWatch_IsAnswered_RegisteredForAJobKept_NotFoundForOneGone_AndUnavailableWhileTheManagerRestarts()
    {
        var accepted = Assert.IsType<JobAccepted>(await AskAsync(Submit(2)));
        var kept = Channel.CreateUnbounded<JobWatchEvent>();
        var gone = Channel.CreateUnbounded<JobWatchEvent>();

        Assert.Same(WatchRegistered.Instance, await AskAsync(new ToJob(accepted.Job.Id, new WatchJob(0, false, kept.Writer))));
        Assert.IsType<JobNotFound>(await AskAsync(new ToJob("expired-or-deleted", new WatchJob(0, false, gone.Writer))));
        var events = new List<string>();
        await foreach (var watchEvent in kept.Reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            events.Add(watchEvent.Name);
        }

        var manager = await CurrentManagerAsync();
        await _journal.OnWrite.Fail();
        Assert.IsType<JobsUnavailable>(await AskAsync(Submit(1)));
        await manager.WatchAsync();
        await AnswerWhileStoppedAsync();
        var whileStopped = await AskAsync(new ToJob(accepted.Job.Id, new WatchJob(0, false, Channel.CreateUnbounded<JobWatchEvent>().Writer)));

        Assert.Equal("finished", events[^1]); // the watch ran to the job's end event
        Assert.Same(JobsUnavailable.Restarting, whileStopped); // answered, not left to its client (it was told, with nobody to answer)
    }

    [Fact]
    public async Task RequestsHeldWhileAFailingWriteWasInFlight_AreAnsweredToo_NotLeftToTimeOut()
    {
        Assert.IsType<JobList>(await AskAsync(ListJobs.Instance));
        await _journal.OnWrite.Fail();

        // The first submit's write fails; the others wait for it inside the manager (Akka.Persistence holds them) and
        // become dead letters when it stops: each is answered all the same.
        var answers = await Task.WhenAll(AskAsync(Submit(1)), AskAsync(Submit(2)), AskAsync(ListJobs.Instance), AskAsync(Submit(3)));

        Assert.All(answers, answer => Assert.IsType<JobsUnavailable>(answer));
    }

    [Fact]
    public async Task AJournalThatCannotBeRead_AtStart_IsRetried_AndTheJobsKeptInItResume()
    {
        // A job admitted and written, then the manager fails at its next start (the database down): it tries again.
        var accepted = Assert.IsType<JobAccepted>(await AskAsync(Submit(2)));
        Assert.IsType<JobView>(await AskAsync(new ToJob(accepted.Job.Id, WhenJobEnded.Instance)));
        await ClosedAsync(accepted.Job.Id); // the manager's own record of the end is written before the journal fails
        await _journal.OnRecovery.Fail();
        await _journal.OnWrite.Fail();
        var manager = await CurrentManagerAsync();
        Assert.IsType<JobsUnavailable>(await AskAsync(Submit(1))); // stops it
        await manager.WatchAsync();
        Assert.Same(JobsUnavailable.Restarting, await AnswerWhileStoppedAsync());

        Scheduler.Advance(JobManager.RestartBackoff.Max * 2); // starts again, and fails to read its journal
        if (((BackoffSupervisor.CurrentChild)await AskAsync(BackoffSupervisor.GetCurrentChild.Instance)).Ref is { } again)
        {
            await again.WatchAsync(); // (no child: it has stopped already)
        }

        Assert.Same(JobsUnavailable.Restarting, await AnswerWhileStoppedAsync());
        Assert.StartsWith("its journal could not be read (", _health.Error);

        await _journal.OnRecovery.Pass();
        await _journal.OnWrite.Pass();
        Scheduler.Advance(JobManager.RestartBackoff.Max * 2);
        var jobs = Assert.IsType<JobList>(await AskAsync(ListJobs.Instance)).Jobs;
        Assert.Equal((accepted.Job.Id, JobStatus.Finished, 2), (Assert.Single(jobs).Id, jobs[0].Status, jobs[0].Succeeded));
        Assert.Null(_health.Error);
    }

    [Fact]
    public async Task AJobWhoseChunksCannotBeWritten_StartsAgainAfterAPauseThatDoubles_NotEverySecond()
    {
        Assert.IsType<JobList>(await AskAsync(ListJobs.Instance));
        using var attempts = new SemaphoreSlim(0);
        await _journal.OnWrite.FailIf(written =>
        {
            if (written.Payload is not JobItemsDone)
            {
                return false;
            }

            attempts.Release(); // a full disk, for the job's chunks only: each attempt is counted
            return true;
        });
        var id = Assert.IsType<JobAccepted>(await AskAsync(Submit(1))).Job.Id;
        var wait = TimeSpan.FromSeconds(10);

        Assert.True(await attempts.WaitAsync(wait)); // its chunk ran, its write failed: the actor stops
        await StoppedAsync(id);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await attempts.WaitAsync(wait)); // started again after 1 s, failed again
        await StoppedAsync(id);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        var early = await ActorOfAsync(id); // 1 s after the second failure: an actor started would exist, or have tried (it tries before it stops)
        var earlyAttempts = attempts.CurrentCount;
        Scheduler.Advance(TimeSpan.FromSeconds(1)); // 2 s after it
        Assert.True(await attempts.WaitAsync(wait));

        Assert.Equal((null, 0), (early, earlyAttempts)); // the pause had doubled
        await StoppedAsync(id); // its restart timer is set before the clock moves (a fresh-clone CI run met the race)
        await _journal.OnWrite.Pass();
        Scheduler.Advance(TimeSpan.FromSeconds(4));
        var ended = Assert.IsType<JobView>(await AskAsync(new ToJob(id, WhenJobEnded.Instance)));
        Assert.Equal((JobStatus.Finished, 1), (ended.Job.Status, ended.Job.Succeeded));
    }

    /// <summary>Job <paramref name="id"/>'s actor as the manager has it now (after the manager handled what came before this call), or null.</summary>
    private async Task<IActorRef?> ActorOfAsync(string id)
    {
        Assert.IsType<JobList>(await AskAsync(ListJobs.Instance)); // the manager has handled the timers' messages sent before
        var identity = await _system.ActorSelection($"/user/jobs/manager/{id}").Ask<ActorIdentity>(new Identify(id), TimeSpan.FromSeconds(10));
        return identity.Subject;
    }

    /// <summary>Waits until job <paramref name="id"/>'s actor has stopped and the manager has seen it (and set its restart timer).</summary>
    private async Task StoppedAsync(string id)
    {
        if (await ActorOfAsync(id) is { } actor)
        {
            await actor.WatchAsync();
        }

        // It has stopped (or an Identify found it dead): its Terminated, a system message sent to the manager before this
        // Ask, is handled first, so the restart timer is set before the test moves the clock.
        Assert.IsType<JobList>(await AskAsync(ListJobs.Instance));
    }

    private Task<object> AskAsync(object message) => _jobs.AskBoundedAsync(message);

    private Task ClosedAsync(string id) => _jobs.ClosedAsync(id);

    private static SubmitJob Submit(int items) => JobManagerAsks.Submit("counting", Enumerable.Range(0, items).ToArray());

    private async Task<IActorRef> CurrentManagerAsync() =>
        ((BackoffSupervisor.CurrentChild)await AskAsync(BackoffSupervisor.GetCurrentChild.Instance)).Ref
        ?? throw new InvalidOperationException("The supervisor has no manager running.");

    /// <summary>
    /// What the supervisor answers once it has seen its manager stop: until then a message may still go to the stopped
    /// actor, so the test asks which child it has first (the supervisor learns of the stop as the test's watch did).
    /// </summary>
    private async Task<object> AnswerWhileStoppedAsync()
    {
        while (((BackoffSupervisor.CurrentChild)await AskAsync(BackoffSupervisor.GetCurrentChild.Instance)).Ref is not null)
        {
            await Task.Yield();
        }

        return await AskAsync(ListJobs.Instance);
    }
}
