using Akka.Actor;
using Akka.Configuration;
using ModelActors.Host.Jobs;
using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>
/// An idempotency key whose job is being deleted is free for the next submit, and stays with that next job when the
/// old job's removal is written after it took the key. Driven at the job manager, whose mailbox fixes the order.
/// </summary>
public sealed class JobKeyRaceTests : IAsyncLifetime
{
    private static readonly ServerOptions Options = new() { Jobs = new JobOptions { Store = "memory" } };

    private readonly ActorSystem _system = ActorSystem.Create("keys", ConfigurationFactory.ParseString("akka.loglevel = OFF").WithFallback(JobPersistence.Hocon(Options)));

    private ModelLibrary _library = null!;
    private IActorRef _jobs = null!;

    public async Task InitializeAsync()
    {
        _library = ModelLibrary.CreateBuilder().UseActorSystem(_system).AddModel<CountingModel>("counting").Build();
        await _library.LoadAsync();
        _jobs = _system.ActorOf(JobManager.SupervisedProps(_library, new ModelVersions(), Options, TimeProvider.System), "jobs");
    }

    public async Task DisposeAsync()
    {
        await _library.DisposeAsync();
        await _system.Terminate();
    }

    [Fact]
    public async Task AKeyTakenWhileItsOldJobIsBeingDeleted_StaysWithTheNewJob()
    {
        var first = Assert.IsType<JobAccepted>(await AskAsync(Submit([1], "daily"))).Job.Id;
        Assert.IsType<JobView>(await AskAsync(new ToJob(first, WhenJobEnded.Instance)));
        await _jobs.ClosedAsync(first);

        // Both reach the manager in this order: the submit is taken while the first job deletes its events.
        var deleting = AskAsync(new DeleteEndedJob(first));
        var second = Assert.IsType<JobAccepted>(await AskAsync(Submit([2], "daily")));
        Assert.IsType<JobDeleted>(await deleting); // answered once the first job's removal is written
        var again = Assert.IsType<JobAccepted>(await AskAsync(Submit([2], "daily")));

        Assert.False(second.Replayed);
        Assert.NotEqual(first, second.Job.Id);
        Assert.Equal((true, second.Job.Id), (again.Replayed, again.Job.Id)); // the first job's removal did not free it
    }

    private Task<object> AskAsync(object message) => _jobs.AskBoundedAsync(message);

    private static SubmitJob Submit(int[] items, string key) => JobManagerAsks.Submit("counting", items, key);
}
