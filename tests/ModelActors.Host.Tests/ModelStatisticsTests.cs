using ModelActors.Host.Statistics;
using ModelActors.TestKit;

namespace ModelActors.Host.Tests;

/// <summary>Triton's statistics from the ModelActors meter: executions by batch size, queue, failures.</summary>
public sealed class ModelStatisticsTests
{
    [Fact]
    public async Task Statistics_CountSuccessfulExecutionsByBatchSize_QueuedRequests_AndFailures()
    {
        var name = "stats-" + Guid.NewGuid().ToString("N"); // the listener hears every library of the process
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new ProbeModel<string, string>(async (items, _) =>
        {
            if (items.Contains("bad"))
            {
                throw new InvalidOperationException("bad item");
            }

            firstBatch.TrySetResult();
            await gate.Task;
            return [.. items.Select(i => i.ToUpperInvariant())];
        });
        using var statistics = new ModelStatistics(TimeProvider.System);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel(name, o => { o.MaxBatchSize = 4; o.Replicas = 1; }, _ => probe)
            .Build();
        await library.LoadAsync();
        var client = library.Get<string, string>(name);

        var first = client.PredictAsync("a").AsTask(); // alone: a batch of one, held at the gate
        await firstBatch.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var rest = new[] { "b", "c", "d" }.Select(i => client.PredictAsync(i).AsTask()).ToList(); // admitted behind it: one batch of three
        gate.SetResult();
        await Task.WhenAll(rest.Append(first));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.PredictAsync("bad").AsTask());

        var s = statistics.Of(name, string.Empty);
        Assert.Equal(4, s.InferenceCount);
        Assert.Equal(2, s.ExecutionCount);
        Assert.Equal([(1, 1L), (3, 1L)], s.Batches.Select(b => (b.BatchSize, b.Count)));
        Assert.True(s.Batches.All(b => b.ComputeNs > 0));
        Assert.Equal(s.Batches[0].ComputeNs + (3 * s.Batches[1].ComputeNs), s.ComputeNs); // each request of a batch spent its time
        Assert.Equal(5, s.QueueCount); // every request that reached a replica, the failed one too
        Assert.Equal(1, s.FailCount);
        Assert.True(s.LastInference > 0);
        Assert.Same(StatisticsSnapshot.Empty, statistics.Of("never-called-" + name, string.Empty));
    }
}
