namespace ModelActors.Tests.Batching;

public sealed class BatcherTests
{
    [Fact]
    public async Task AFullBatch_FormsWithoutWaitingForMaxDelay()
    {
        await using var f = new BatchingFixture(maxBatchSize: 4, maxDelay: TimeSpan.FromSeconds(1));

        var calls = Enumerable.Range(0, 4).Select(i => f.Client.PredictAsync(i).AsTask()).ToList();
        var batches = await f.Probe.ExpectBatchesAsync(1); // the clock never moves
        f.ReleaseAll(1);

        Assert.Equal([0, 1, 2, 3], batches[0]);
        var results = await Task.WhenAll(calls);
        Assert.Equal([0, 10, 20, 30], results);
    }

    [Fact]
    public async Task ALoneItem_WaitsNoMoreThanMaxDelay()
    {
        await using var f = new BatchingFixture(maxBatchSize: 8, maxDelay: TimeSpan.FromMilliseconds(10));

        var windowed = f.PiecesGroupedAsync(1);
        var call = f.Client.PredictAsync(7).AsTask();
        await windowed; // the window's timer can close only a window the item is in
        f.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Empty(f.Probe.Batches);
        f.Advance(TimeSpan.FromMilliseconds(1));

        var batches = await f.Probe.ExpectBatchesAsync(1);
        f.ReleaseAll(1);
        Assert.Equal([7], batches[0]);
        Assert.Equal(70, await call);
    }

    [Fact]
    public async Task WithMaxDelayZero_ALoneRequestGoesStraightThrough()
    {
        await using var f = new BatchingFixture(maxBatchSize: 8, maxDelay: TimeSpan.Zero, holdCalls: false);

        Assert.Equal(30, await f.Client.PredictAsync(3));
        Assert.Equal([[3]], f.Probe.Batches);
    }

    [Fact]
    public async Task WhileTheReplicaIsBusy_ItemsAccumulate_IntoBatchesOfAtMostMaxBatchSize()
    {
        await using var f = new BatchingFixture(maxBatchSize: 4, maxDelay: TimeSpan.Zero);
        var first = f.Client.PredictAsync(0).AsTask();
        await f.Probe.ExpectBatchesAsync(1);

        var grouped = f.PiecesGroupedAsync(4); // 1..4 fill the forming batch; 5 waits as its next
        var rest = Enumerable.Range(1, 9).Select(i => f.Client.PredictAsync(i).AsTask()).ToList();
        Assert.Equal(9, f.QueueDepth);
        await grouped;
        f.ReleaseAll(4);

        var results = await Task.WhenAll(rest.Prepend(first));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 10), results);
        Assert.Equal([1, 4, 4, 1], f.Probe.Batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 10), f.Probe.Items);
    }

    [Fact]
    public async Task AChunkLargerThanMaxBatchSize_IsSplit_AndItsResultsReassembledInOrder()
    {
        await using var f = new BatchingFixture(maxBatchSize: 3, maxDelay: TimeSpan.Zero, holdCalls: false);

        var results = await f.Client.PredictBatchAsync(Enumerable.Range(0, 10).ToList());

        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 10), results);
        Assert.All(f.Probe.Batches, b => Assert.InRange(b.Count, 1, 3));
        Assert.Equal(Enumerable.Range(0, 10), f.Probe.Items);
    }

    [Fact]
    public async Task StreamChunksAndSingleCallsFromOtherCallers_ShareABatch()
    {
        await using var f = new BatchingFixture(maxBatchSize: 6, maxDelay: TimeSpan.Zero);
        var busy = f.Client.PredictAsync(0).AsTask();
        await f.Probe.ExpectBatchesAsync(1);

        var grouped = f.PiecesGroupedAsync(3); // the stream's first chunk and the two singles
        var streamChunkQueued = f.RequestsReceivedAsync(1);
        var stream = f.Client.PredictStream(new[] { 1, 2, 3, 4 }, batchSize: 2).ToListAsync().AsTask();
        await streamChunkQueued;
        var singles = new[] { f.Client.PredictAsync(100).AsTask(), f.Client.PredictAsync(101).AsTask() };
        await grouped;
        f.ReleaseAll(4); // three calls expected; a fourth gate so that a miss fails the assertions below instead of hanging

        Assert.Equal([10, 20, 30, 40], await stream);
        var answers = await Task.WhenAll(singles);
        Assert.Equal([1000, 1010], answers);
        Assert.Equal(0, await busy);
        // The stream runs on Akka.Streams, so its chunk is counted a moment before it is queued: the
        // batch holds the four items with each caller's order kept, whichever caller was queued first.
        Assert.Equal([1, 2, 100, 101], f.Probe.Batches[1].Order());
        var shared = f.Probe.Batches[1].ToList();
        Assert.True(shared.IndexOf(1) < shared.IndexOf(2));
        Assert.Equal([3, 4], f.Probe.Batches[2]);
    }

    [Fact]
    public async Task SeveralReplicas_EachTakeTheirOwnBatches_NeverEmpty_NeverOverMax()
    {
        await using var f = new BatchingFixture(maxBatchSize: 5, maxDelay: TimeSpan.Zero, replicas: 3, holdCalls: false);

        var calls = Enumerable.Range(0, 200).Select(i => f.Client.PredictAsync(i).AsTask()).ToList();
        var results = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => i * 10), results);
        Assert.All(f.Probe.Batches, b => Assert.InRange(b.Count, 1, 5));
        Assert.Equal(200, f.Probe.Items.Count);
    }

    [Fact]
    public async Task AFullBatchFormedWhileTheReplicaIsBusy_StillDropsRequestsCancelledBeforeItStarts()
    {
        await using var f = new BatchingFixture(maxBatchSize: 2, maxDelay: TimeSpan.Zero);
        var busy = f.Client.PredictAsync(0).AsTask();
        await f.Probe.ExpectBatchesAsync(1);
        using var cts = new CancellationTokenSource();
        var cancelled = f.Client.PredictAsync(1, cts.Token).AsTask();
        var kept = f.Client.PredictAsync(2).AsTask();
        Assert.Equal(2, f.QueueDepth); // formed ahead, but still counted as waiting until a replica starts it

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, f.QueueDepth);
        f.ReleaseAll(2);

        Assert.Equal(0, await busy);
        Assert.Equal(20, await kept);
        Assert.Equal([[0], [2]], f.Probe.Batches);
        Assert.Equal(0, f.QueueDepth);
    }
}
