using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

/// <summary>modelkit's per-call contract: batch-size resolution, chunking, order, empty input.</summary>
public sealed class PerCallContractTests
{
    public static TheoryData<int, int?, int> BatchCases => new()
    {
        { 0, 1, 0 },
        { 0, null, 0 },
        { 3, 1, 3 },
        { 3, null, 1 },
        { 128, 1, 128 },
        { 128, 64, 2 },
        { 128, 63, 3 },
        { 128, null, 1 },
    };

    [Theory]
    [MemberData(nameof(BatchCases))]
    public async Task PredictBatch_MakesOneModelCallPerChunk(int count, int? batchSize, int expectedCalls)
    {
        var probe = new ProbeModel<int, int>(i => i * 10);
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", factory: _ => probe).Build();
        var items = Enumerable.Range(0, count).ToList();

        var results = await library.Get<int, int>("probe").PredictBatchAsync(items, batchSize);

        Assert.Equal(expectedCalls, probe.Batches.Count);
        Assert.Equal(items.Select(i => i * 10), results);
        Assert.All(probe.Batches, b => Assert.NotEmpty(b));
    }

    [Fact]
    public async Task PredictGen_WithNoBatchSize_MakesOneCallPerItem()
    {
        var probe = new ProbeModel<int, int>(i => i + 1);
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", factory: _ => probe).Build();

        var results = library.GetSync<int, int>("probe").PredictGen(Enumerable.Range(0, 128)).ToList();

        Assert.Equal(128, probe.Batches.Count);
        Assert.Equal(Enumerable.Range(1, 128), results);
    }

    [Fact]
    public async Task Chunks_Of16Over66Items_Are16_16_16_16_2()
    {
        var probe = new ProbeModel<int, int>(i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", o => o.Replicas = 1, _ => probe).Build();

        var results = await library.Get<int, int>("probe").PredictBatchAsync(Enumerable.Range(0, 66).ToList(), batchSize: 16);

        Assert.Equal([16, 16, 16, 16, 2], probe.Batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 66), results);
        Assert.Equal(Enumerable.Range(0, 66), probe.Items); // one replica: chunks reach it in input order
    }

    [Fact]
    public async Task ModelBatchSizeSetting_AppliesWhenTheCallGivesNone_AndTheCallWins()
    {
        var probe = new ProbeModel<int, int>(i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", o => o.BatchSize = 4, _ => probe).Build();
        var client = library.Get<int, int>("probe");

        await client.PredictBatchAsync(Enumerable.Range(0, 10).ToList());
        Assert.Equal([4, 4, 2], probe.Batches.Select(b => b.Count));

        await client.PredictBatchAsync(Enumerable.Range(0, 10).ToList(), batchSize: 5);
        Assert.Equal([4, 4, 2, 5, 5], probe.Batches.Select(b => b.Count));

        await client.PredictStream(Enumerable.Range(0, 6)).ToListAsync();
        Assert.Equal([4, 4, 2, 5, 5, 4, 2], probe.Batches.Select(b => b.Count));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task BatchSize_BelowOne_IsRejected(int batchSize)
    {
        var probe = new ProbeModel<int, int>(i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", factory: _ => probe).Build();
        var client = library.Get<int, int>("probe");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.PredictBatchAsync([1], batchSize).AsTask());
        Assert.Throws<ArgumentOutOfRangeException>(() => client.PredictStream(new[] { 1 }, batchSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => library.GetSync<int, int>("probe").PredictGen([1], batchSize));
        Assert.Empty(probe.Batches);
    }

    [Fact]
    public async Task EmptyInput_NeverReachesTheModel()
    {
        var probe = new ProbeModel<int, int>(i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", factory: _ => probe).Build();

        Assert.Empty(await library.Get<int, int>("probe").PredictBatchAsync([]));
        Assert.Empty(await library.Get<int, int>("probe").PredictStream(Array.Empty<int>()).ToListAsync());
        Assert.Empty(library.GetSync<int, int>("probe").PredictBatch([]));
        Assert.Empty(probe.Batches);
    }

    [Fact]
    public async Task PredictBatch_WithSeveralReplicas_ReturnsResultsInInputOrder()
    {
        var probe = new ProbeModel<int, int>(async (items, ct) =>
        {
            // Later chunks finish first.
            await Task.Yield();
            return [.. items.Select(i => -i)];
        });
        await using var library = ModelLibrary.CreateBuilder().AddModel("probe", o => o.Replicas = 4, _ => probe).Build();

        var results = await library.Get<int, int>("probe").PredictBatchAsync(Enumerable.Range(0, 100).ToList(), batchSize: 3);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => -i), results);
    }
}
