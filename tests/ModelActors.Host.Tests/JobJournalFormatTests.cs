using System.Text.Json;
using Akka.Actor;
using ModelActors.Host.Jobs;

namespace ModelActors.Host.Tests;

/// <summary>A job's events through the journal's serializer and back: the state they rebuild shows what was written.</summary>
public sealed class JobJournalFormatTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("journal-format", "akka.loglevel = OFF");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.Terminate();

    private object RoundTrip(object record)
    {
        var serializer = new JobEventSerializer((ExtendedActorSystem)_system);
        return serializer.FromBinary(serializer.ToBinary(record), serializer.Manifest(record));
    }

    [Fact]
    public void AResultThatIsJsonNull_ShowsAsNull_BeforeAndAfterTheJournal()
    {
        var submitted = new JobSubmitted("j", "m", JobKind.Typed, "[1, 2, 3]"u8.ToArray(), 3, DateTimeOffset.UnixEpoch);
        var done = new JobItemsDone(0, [new JobItem(JsonSerializer.SerializeToElement<string?>(null), null), new JobItem(JsonSerializer.SerializeToElement("x"), null), new JobItem(null, "bad")]);
        var live = new JobState();
        var recovered = new JobState();

        live.Apply(submitted, 1);
        live.Apply(done, 2);
        recovered.Apply((IJobRecord)RoundTrip(submitted), 1);
        recovered.Apply((IJobRecord)RoundTrip(done), 2);

        foreach (var state in new[] { live, recovered })
        {
            var shown = JsonSerializer.Serialize(state.Results(), JsonSerializerOptions.Web);
            Assert.Equal("""[{"index":0,"result":null},{"index":1,"result":"x"},{"index":2,"error":"bad"}]""", shown);
            Assert.Equal((2, 1), (state.Succeeded, state.Failed));
        }
    }

    [Fact]
    public void AnAdmissionWrittenBeforeIdempotencyKeys_ReadsWithoutOne()
    {
        var serializer = new JobEventSerializer((ExtendedActorSystem)_system);
        var old = """{"id":"a","model":"m","kind":"typed","total":2,"created":"2026-12-01T00:00:00+00:00"}"""u8.ToArray();

        var admitted = Assert.IsType<JobAdmitted>(serializer.FromBinary(old, "job-admitted.v1"));
        var keyed = Assert.IsType<JobAdmitted>(RoundTrip(admitted with { Key = "k", Fingerprint = "f" }));

        Assert.Equal(("a", 2, null, null), (admitted.Id, admitted.Total, admitted.Key, admitted.Fingerprint));
        Assert.Equal(("k", "f"), (keyed.Key, keyed.Fingerprint));
    }

    [Fact]
    public void WhenAJobBeganToRun_SurvivesTheJournalAndItsSnapshot_AndAnOldSnapshotReadsWithoutIt()
    {
        var serializer = new JobEventSerializer((ExtendedActorSystem)_system);
        var at = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
        var state = new JobState();
        state.Apply(new JobSubmitted("j", "m", JobKind.Typed, "[1]"u8.ToArray(), 1, DateTimeOffset.UnixEpoch), 1);
        var queued = state.Summary().Started;
        state.Apply((IJobRecord)RoundTrip(new JobStarted(at)), 2);
        var fromSnapshot = new JobState();
        fromSnapshot.Apply((JobSnapshot)RoundTrip(state.Snapshot()), 2);
        var old = """{"submitted":{"id":"j","model":"m","kind":"typed","items":"WzFd","total":1,"created":"2026-12-01T00:00:00+00:00"},"submittedSequence":1,"items":[],"groups":[],"ended":null,"endedSequence":0}"""u8.ToArray();
        var oldSnapshot = Assert.IsType<JobSnapshot>(serializer.FromBinary(old, "job-snapshot.v1"));

        Assert.Null(queued);
        Assert.Equal((at, at), (state.Summary().Started, fromSnapshot.Summary().Started));
        Assert.Null(oldSnapshot.Started);
    }
}
