using ModelActors.TestKit;

namespace ModelActors.Tests.Batching;

public sealed class OutcomesAndFallbackTests
{
    [Fact]
    public async Task PredictOutcomes_ReturnsEachItemsResultOrException_WithoutThrowing()
    {
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            await Task.Yield();
            return items.Any(i => i % 5 == 0) ? throw new ModelFailure("multiple of five") : [.. items.Select(i => i * 3)];
        });
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("m", o => { o.MaxBatchSize = 8; o.Replicas = 2; }, _ => probe)
            .Build();

        var outcomes = await library.Get<int, int>("m").PredictOutcomesAsync(Enumerable.Range(1, 20).ToList());

        for (var i = 1; i <= 20; i++)
        {
            var outcome = outcomes[i - 1];
            if (i % 5 == 0)
            {
                Assert.False(outcome.IsSuccess);
                Assert.IsType<ModelFailure>(outcome.Exception);
                Assert.Throws<InvalidOperationException>(() => outcome.Value);
            }
            else
            {
                Assert.True(outcome.IsSuccess);
                Assert.Equal(i * 3, outcome.Value);
            }
        }
    }

    [Fact]
    public async Task AFallback_AnswersWhenThePrimaryFails()
    {
        var primary = ProbeModel<string, string>.Failing(_ => new ModelFailure("primary down"));
        var backup = new ProbeModel<string, string>(s => $"backup:{s}");
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("primary", o => o.Fallback = "backup", _ => primary)
            .AddModel("backup", factory: _ => backup)
            .Build();
        var client = library.Get<string, string>("primary");

        Assert.Equal("backup:a", await client.PredictAsync("a"));
        Assert.Equal(["backup:b", "backup:c"], await client.PredictBatchAsync(["b", "c"]));
    }

    [Fact]
    public async Task AFallback_AnswersWhenThePrimaryTimesOut_OrIsOverloaded()
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var primary = ProbeModel<int, int>.Holding(gate.Task, i => i);
        var backup = new ProbeModel<int, int>(i => -i);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("primary", o => { o.Fallback = "backup"; o.QueueCapacity = 1; o.Timeout = TimeSpan.FromSeconds(1); }, _ => primary)
            .AddModel("backup", factory: _ => backup)
            .UseTimeProvider(clock)
            .Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("primary");

        var slow = client.PredictAsync(1).AsTask();
        await primary.ExpectBatchesAsync(1);
        var queued = client.PredictAsync(2).AsTask();
        Assert.Equal(-3, await client.PredictAsync(3)); // the queue is full: the backup answers

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(-1, await slow);   // timed out: the backup answers
        Assert.Equal(-2, await queued);
        gate.SetResult();
    }

    [Fact]
    public async Task AFallback_IsNotUsedWhenTheCallerCancels()
    {
        var gate = new TaskCompletionSource();
        var primary = ProbeModel<int, int>.Holding(gate.Task, i => i);
        var backup = new ProbeModel<int, int>(i => -i);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("primary", o => o.Fallback = "backup", _ => primary)
            .AddModel("backup", factory: _ => backup)
            .Build();
        using var cts = new CancellationTokenSource();

        var call = library.Get<int, int>("primary").PredictAsync(1, cts.Token).AsTask();
        await primary.ExpectBatchesAsync(1);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Empty(backup.Batches);
        gate.SetResult();
    }

    [Fact]
    public void Fallbacks_AreValidatedAtRegistration()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>("a", o => o.Fallback = "b")
            .AddModel<UpperModel>("b", o => o.Fallback = "a")
            .AddModel<UpperModel>("c", o => o.Fallback = "length")
            .AddModel<UpperModel>("d", o => o.Fallback = "ghost")
            .AddModel<LengthModel>()
            .Build());

        Assert.Contains(error.Errors, e => e.StartsWith("Fallback cycle: 'a' -> 'b' -> 'a'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("a fallback must have the same item and result types", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("falls back to 'ghost', which is not registered", StringComparison.Ordinal));
    }

    [Fact]
    public void BatchingOptions_AreValidatedAtRegistration()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>("a", o => o.MaxBatchSize = 0)
            .AddModel<UpperModel>("b", o => { o.MaxBatchSize = 4; o.MaxDelay = TimeSpan.FromMilliseconds(-1); })
            .AddModel<UpperModel>("c", o => o.MaxDelay = TimeSpan.FromMilliseconds(5))
            .Build());

        Assert.Equal(3, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("MaxDelay is set but MaxBatchSize is not", StringComparison.Ordinal));
    }
}
