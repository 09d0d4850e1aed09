using ModelActors.TestKit;

namespace ModelActors.Tests.Batching;

public sealed class FailureIsolationTests
{
    [Fact]
    public async Task OnePoisonedItemInABatchOf32_FailsAlone_WithTheModelsOwnException()
    {
        var gate = new TaskCompletionSource();
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            if (items.Contains(-1))
            {
                await gate.Task; // holds the replica while 32 requests queue
                return [-1];
            }

            return items.Contains(13) ? throw new ModelFailure("13 is poison") : [.. items.Select(i => i + 1000)];
        });
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("m", o => { o.MaxBatchSize = 32; o.MaxDelay = TimeSpan.Zero; }, _ => probe)
            .Build();
        var client = library.Get<int, int>("m");
        var holder = client.PredictAsync(-1).AsTask();
        await probe.ExpectBatchesAsync(1);
        var grouped = library.PiecesGroupedAsync("m", 32);
        var calls = Enumerable.Range(0, 32).Select(i => client.PredictAsync(i).AsTask()).ToList();
        await grouped;

        gate.SetResult();
        await holder;

        for (var i = 0; i < 32; i++)
        {
            if (i == 13)
            {
                var error = await Assert.ThrowsAsync<ModelFailure>(() => calls[i]);
                Assert.Equal("m", ModelErrors.GetModelName(error));
            }
            else
            {
                Assert.Equal(i + 1000, await calls[i]);
            }
        }

        Assert.Equal(32, probe.Batches[1].Count); // the merged call failed...
        Assert.Equal(34, probe.Batches.Count);     // ...then each of its items was retried alone
    }

    [Fact]
    public async Task AFailingChunkPart_FailsOnlyItsOwnRequest()
    {
        var gate = new TaskCompletionSource();
        var probe = new ProbeModel<string, string>(async (items, _) =>
        {
            if (items.Contains("hold"))
            {
                await gate.Task;
            }

            return items.Contains("bad") ? throw new ModelFailure("bad item") : [.. items.Select(s => s.ToUpperInvariant())];
        });
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("m", o => { o.MaxBatchSize = 16; o.MaxDelay = TimeSpan.Zero; }, _ => probe)
            .Build();
        var client = library.Get<string, string>("m");
        var holder = client.PredictAsync("hold").AsTask();
        await probe.ExpectBatchesAsync(1);

        var poisoned = client.PredictBatchAsync(["a", "bad", "c"]).AsTask();
        var healthy = client.PredictBatchAsync(["x", "y"]).AsTask();
        gate.SetResult();

        await Assert.ThrowsAsync<ModelFailure>(() => poisoned);
        Assert.Equal(["X", "Y"], await healthy);
        Assert.Equal("HOLD", await holder);
    }
}
