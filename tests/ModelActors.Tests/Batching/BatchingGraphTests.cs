using ModelActors.TestKit;

namespace ModelActors.Tests.Batching;

/// <summary>The batching graph's own traps and failures: values equal to <c>default</c>, and the graph failing under waiting requests.</summary>
public sealed class BatchingGraphTests : ModelActorsTestKit
{
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public async Task ItemsEqualToDefault_AllGetTheirAnswers_ThroughABatchingModel(int maxDelayMs)
    {
        // GroupedWithin tests its pending slot against default(T): five items with room for four make one wait there.
        var library = CreateLibrary(b => b
            .AddModel("ints", o => Batched(o, maxDelayMs), _ => new ProbeModel<int, string>(i => $"int {i}"))
            .AddModel("bools", o => Batched(o, maxDelayMs), _ => new ProbeModel<bool, string>(v => $"bool {v}"))
            .AddModel("points", o => Batched(o, maxDelayMs), _ => new ProbeModel<Point, string>(p => $"point {p.X},{p.Y}")));
        await library.LoadAsync();
        var grouped = new[] { library.PiecesGroupedAsync("ints", 5), library.PiecesGroupedAsync("bools", 5), library.PiecesGroupedAsync("points", 5) };

        var ints = new[] { 0, 0, 3, 0, 0 }.Select(i => library.Get<int, string>("ints").PredictAsync(i).AsTask()).ToList();
        var bools = new[] { false, false, true, false, false }.Select(v => library.Get<bool, string>("bools").PredictAsync(v).AsTask()).ToList();
        var points = new[] { default, default, new Point(1, 2), default, default(Point) }.Select(p => library.Get<Point, string>("points").PredictAsync(p).AsTask()).ToList();
        await Task.WhenAll(grouped);
        Advance(TimeSpan.FromMilliseconds(maxDelayMs)); // closes the window of the fifth item (nothing to do with MaxDelay zero)

        Assert.Equal(["int 0", "int 0", "int 3", "int 0", "int 0"], await Task.WhenAll(ints));
        Assert.Equal(["bool False", "bool False", "bool True", "bool False", "bool False"], await Task.WhenAll(bools));
        Assert.Equal(["point 0,0", "point 0,0", "point 1,2", "point 0,0", "point 0,0"], await Task.WhenAll(points));
    }

    [Fact]
    public async Task WhenTheGraphFails_TheRequestsItHeldFailNamingTheModel_AndANewGraphTakesTheNextOnes()
    {
        await using var f = new BatchingFixture(maxBatchSize: 4, maxDelay: TimeSpan.Zero);
        var busy = f.Client.PredictAsync(0).AsTask();
        await f.Probe.ExpectBatchesAsync(1);
        var grouped = f.PiecesGroupedAsync(2);
        var held = new[] { f.Client.PredictAsync(1).AsTask(), f.Client.PredictAsync(2).AsTask() };
        await grouped;

        f.Batcher.BreakGraph(new InvalidOperationException("boom"));

        foreach (var request in held)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => request);
            Assert.Equal("m", ModelErrors.GetModelName(error));
            Assert.Contains("batching stage failed", error.Message);
            Assert.Contains("boom", error.Message);
        }

        Assert.Equal(0, f.QueueDepth);
        var next = f.Client.PredictAsync(3).AsTask();
        f.ReleaseAll(2);
        Assert.Equal(0, await busy); // the batch already at the replica is answered as usual
        Assert.Equal(30, await next);
        Assert.Equal([[0], [3]], f.Probe.Batches);
    }

    private static void Batched(ModelOptions options, int maxDelayMs)
    {
        options.MaxBatchSize = 4;
        options.MaxDelay = TimeSpan.FromMilliseconds(maxDelayMs);
    }

    /// <summary>A value type whose default is a valid item.</summary>
    public readonly record struct Point(int X, int Y);
}
