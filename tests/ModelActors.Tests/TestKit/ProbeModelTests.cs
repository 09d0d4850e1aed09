using ModelActors.TestKit;

namespace ModelActors.Tests.TestKit;

public sealed class ProbeModelTests
{
    [Fact]
    public async Task Probe_RecordsEveryBatch_AndAnswersWithItsScript()
    {
        var probe = new ProbeModel<int, string>(i => $"#{i}");
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", factory: _ => probe).Build();

        var results = await library.Get<int, string>("probe").PredictBatchAsync([1, 2, 3], batchSize: 2);

        Assert.Equal(["#1", "#2", "#3"], results);
        Assert.Equal([[1, 2], [3]], probe.Batches);
        Assert.Equal([1, 2, 3], probe.Items);
    }

    [Fact]
    public async Task ExpectBatchesAsync_CompletesWhenTheBatchesArrive_NotBefore()
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", o => o.Replicas = 2, _ => probe).Build();
        await library.LoadAsync();
        var expectation = probe.ExpectBatchesAsync(2);
        Assert.False(expectation.IsCompleted);

        var first = library.Get<int, int>("probe").PredictAsync(1);
        var second = library.Get<int, int>("probe").PredictAsync(2);

        var seen = await expectation;
        Assert.Equal(2, seen.Count);
        gate.SetResult();
        await first;
        await second;
    }

    [Fact]
    public async Task ExpectBatchesAsync_WhenTheBatchesNeverCome_FailsSayingWhatItSaw()
    {
        var probe = new ProbeModel<int, int>(i => i);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => probe.ExpectBatchesAsync(1, TimeSpan.FromMilliseconds(1)));

        Assert.Contains("saw 0", error.Message);
    }

    [Fact]
    public async Task AFailingProbe_FailsEachCallWithItsException()
    {
        var probe = ProbeModel<int, int>.Failing(items => new ModelFailure($"batch of {items.Count}"));
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", factory: _ => probe).Build();

        var error = await Assert.ThrowsAsync<ModelFailure>(() => library.Get<int, int>("probe").PredictAsync(1).AsTask());

        Assert.Equal("batch of 1", error.Message);
    }
}
