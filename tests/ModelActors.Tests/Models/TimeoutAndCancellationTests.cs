using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

public sealed class TimeoutAndCancellationTests
{
    [Fact]
    public async Task ARequestThatTimesOutWhileQueued_NeverReachesTheModel()
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("slow", o => o.Timeout = TimeSpan.FromSeconds(2), _ => probe)
            .UseTimeProvider(clock)
            .Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("slow");
        var first = client.PredictAsync(1).AsTask();
        await probe.ExpectBatchesAsync(1);
        var second = client.PredictAsync(2).AsTask();

        clock.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => second);
        Assert.Contains("Model 'slow'", error.Message);
        Assert.Equal("slow", ModelErrors.GetModelName(error));
        await Assert.ThrowsAsync<TimeoutException>(() => first); // timed out while running: its late result is dropped
        gate.SetResult();
        Assert.Equal(3, await client.PredictAsync(3).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([[1], [3]], probe.Batches);
    }

    [Fact]
    public async Task ARequestCancelledWhileQueued_NeverReachesTheModel()
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("slow", factory: _ => probe).Build();
        var client = library.Get<int, int>("slow");
        var first = client.PredictAsync(1).AsTask();
        await probe.ExpectBatchesAsync(1);
        using var cts = new CancellationTokenSource();
        var second = client.PredictAsync(2, cts.Token).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        gate.SetResult();
        Assert.Equal(1, await first);
        Assert.Equal(3, await client.PredictAsync(3));
        Assert.Equal([[1], [3]], probe.Batches);
    }

    [Fact]
    public async Task AnAlreadyCancelledToken_FailsAtOnce()
    {
        var probe = new ProbeModel<int, int>(i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();
        await library.LoadAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => library.Get<int, int>("m").PredictAsync(1, new CancellationToken(true)).AsTask());
        Assert.Empty(probe.Batches);
    }

    [Fact]
    public async Task PooledRequests_AreReusedSafely_AfterTimeoutsAndCancellations()
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            if (items[0] < 0)
            {
                await gate.Task;
            }

            return [.. items];
        });
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("m", o => o.Timeout = TimeSpan.FromSeconds(1), _ => probe)
            .UseTimeProvider(clock)
            .Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("m");

        var stuck = client.PredictAsync(-1).AsTask();
        await probe.ExpectBatchesAsync(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => stuck);
        gate.SetResult(); // the late reply goes nowhere; the slot returns to the pool

        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(i, await client.PredictAsync(i));
        }
    }

    [Fact]
    public async Task AFullQueue_RejectsAtOnce_WithAnOverloadErrorCarryingARetryHint()
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("small", o => o.QueueCapacity = 2, _ => probe).Build();
        var client = library.Get<int, int>("small");
        var running = client.PredictAsync(0).AsTask();
        await probe.ExpectBatchesAsync(1);
        var queued = new[] { client.PredictAsync(1).AsTask(), client.PredictAsync(2).AsTask() };

        var error = await Assert.ThrowsAsync<ModelOverloadedException>(() => client.PredictAsync(3).AsTask());

        Assert.Equal("small", error.ModelName);
        Assert.Equal(2, error.Capacity);
        Assert.True(error.RetryAfter > TimeSpan.Zero);
        gate.SetResult();
        var answers = await Task.WhenAll(queued.Prepend(running));
        Assert.Equal([0, 1, 2], answers);
    }

    [Fact]
    public async Task WithoutBatching_TheRetryHint_IsTheQueueAheadTimesTheRecentCallTime()
    {
        var clock = new ManualTimeProvider();
        var gates = new Queue<TaskCompletionSource>();
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            TaskCompletionSource gate;
            lock (gates)
            {
                gate = gates.Dequeue();
            }

            await gate.Task;
            return items;
        });
        await using var library = ModelLibrary.CreateBuilder().AddModel("small", o => o.QueueCapacity = 2, _ => probe).UseTimeProvider(clock).Build();
        var client = library.Get<int, int>("small");
        var gateList = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        foreach (var gate in gateList)
        {
            gates.Enqueue(gate);
        }

        var first = client.PredictAsync(0).AsTask();
        await probe.ExpectBatchesAsync(1);
        clock.Advance(TimeSpan.FromMilliseconds(400)); // the call takes 400 ms of the library's clock
        gateList[0].SetResult();
        await first;
        var running = client.PredictAsync(1).AsTask();
        await probe.ExpectBatchesAsync(2);
        var queued = new[] { client.PredictAsync(2).AsTask(), client.PredictAsync(3).AsTask() };

        var error = await Assert.ThrowsAsync<ModelOverloadedException>(() => client.PredictAsync(4).AsTask());

        Assert.Equal(TimeSpan.FromMilliseconds(800), error.RetryAfter); // two calls queued ahead, one replica, 400 ms each (it was 10 ms)
        foreach (var gate in gateList.Skip(1))
        {
            gate.SetResult();
        }

        var answers = await Task.WhenAll(queued.Prepend(running));
        Assert.Equal([1, 2, 3], answers);
    }
}
