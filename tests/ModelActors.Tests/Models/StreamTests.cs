using System.Runtime.CompilerServices;
using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

public sealed class StreamTests
{
    [Fact]
    public async Task PredictStream_PullsItsInputLazily_AndKeepsABoundedNumberOfChunksInFlight()
    {
        var gates = Enumerable.Range(0, 10).Select(_ => new TaskCompletionSource()).ToArray();
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            await gates[items[0]].Task;
            return [.. items];
        });
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", o => { o.Replicas = 2; o.MaxChunksInFlight = 2; }, _ => probe).Build();
        var pulled = 0;

        async IAsyncEnumerable<int> Source([EnumeratorCancellation] CancellationToken ct = default)
        {
            for (var i = 0; i < 10; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return i;
                await Task.Yield();
            }
        }

        await using var results = library.Get<int, int>("m").PredictStream(Source()).GetAsyncEnumerator();
        var first = results.MoveNextAsync().AsTask();
        await probe.ExpectBatchesAsync(2);
        Assert.Equal(2, Volatile.Read(ref pulled)); // two chunks in flight, nothing more pulled
        Assert.False(first.IsCompleted);

        gates[0].SetResult();
        Assert.True(await first);
        Assert.Equal(0, results.Current);
        for (var i = 1; i < 10; i++)
        {
            gates[i].SetResult();
        }

        var rest = new List<int>();
        while (await results.MoveNextAsync())
        {
            rest.Add(results.Current);
        }

        Assert.Equal(Enumerable.Range(1, 9), rest);
    }

    [Fact]
    public async Task PredictStream_YieldsInInputOrder_WhenLaterChunksFinishFirst()
    {
        var gates = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource()).ToArray();
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            await gates[items[0] / 2].Task;
            return [.. items.Select(i => i * 100)];
        });
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", o => o.Replicas = 4, _ => probe).Build();

        var collecting = library.Get<int, int>("m").PredictStream(Enumerable.Range(0, 8), batchSize: 2).ToListAsync().AsTask();
        await probe.ExpectBatchesAsync(4);
        foreach (var gate in gates.Reverse())
        {
            gate.SetResult();
        }

        Assert.Equal(Enumerable.Range(0, 8).Select(i => i * 100), await collecting);
    }

    [Fact]
    public async Task BreakingOutOfPredictStream_CancelsTheChunksStillInFlight()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new ProbeModel<int, int>(async (items, ct) =>
        {
            if (items[0] == 0)
            {
                // The first result goes back only once the second chunk is inside the model, so that breaking out of
                // the loop finds it in flight there (not still queued, where it would be dropped without reaching it).
                await secondArrived.Task;
                return [.. items];
            }

            secondArrived.TrySetResult();
            var held = new TaskCompletionSource<IReadOnlyList<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = ct.Register(() =>
            {
                cancelled.TrySetResult();
                held.TrySetCanceled(ct);
            });
            return await held.Task; // held until the stream is abandoned
        });
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", o => o.Replicas = 2, _ => probe).Build();

        await foreach (var result in library.Get<int, int>("m").PredictStream(Enumerable.Range(0, 100)))
        {
            Assert.Equal(0, result);
            break;
        }

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(probe.Batches.Count <= 3);
    }

    [Fact]
    public async Task PredictGen_StopsEnumeratingItsInput_WhenTheCallerStops()
    {
        var probe = new ProbeModel<int, int>(i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();
        var pulled = 0;

        IEnumerable<int> Source()
        {
            for (var i = 0; ; i++)
            {
                pulled++;
                yield return i;
            }
        }

        var firstThree = library.GetSync<int, int>("m").PredictGen(Source()).Take(3).ToList();

        Assert.Equal([0, 1, 2], firstThree);
        // Lazy and bounded, not exact: on Akka.Streams each stage holds at most one element ahead
        // (the source's pending pull, the chunk in flight, the sink's buffer of one).
        Assert.InRange(pulled, 3, 8);
    }

    [Fact]
    public async Task AFailingChunk_FailsTheStreamWithTheModelsException()
    {
        var probe = new ProbeModel<string, string>((items, _) =>
            items.Contains("bad") ? throw new ModelFailure("bad chunk") : ValueTask.FromResult<IReadOnlyList<string>>([.. items]));
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();

        var error = await Assert.ThrowsAsync<ModelFailure>(() => library.Get<string, string>("m").PredictStream(new[] { "a", "bad", "c" }).ToListAsync().AsTask());
        Assert.Equal("m", ModelErrors.GetModelName(error));
    }
}
