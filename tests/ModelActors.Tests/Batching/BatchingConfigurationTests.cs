using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;

namespace ModelActors.Tests.Batching;

[ModelConfiguration("attributed-batcher", MaxBatchSize = 3, MaxDelayMilliseconds = 0, QueueCapacity = 10)]
public sealed class AttributedBatchModel : Model<int, int>
{
    public static readonly System.Collections.Concurrent.ConcurrentQueue<int> CallSizes = new();

    protected override IReadOnlyList<int> PredictBatch(IReadOnlyList<int> items, CancellationToken cancellationToken)
    {
        CallSizes.Enqueue(items.Count);
        return items;
    }
}

public sealed class BatchingConfigurationTests
{
    [Fact]
    public async Task BatchingFromTheAttribute_CapsEveryModelCall()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<AttributedBatchModel>().Build();

        var results = await library.Get<int, int>("attributed-batcher").PredictBatchAsync(Enumerable.Range(0, 10).ToList());

        Assert.Equal(Enumerable.Range(0, 10), results);
        Assert.All(AttributedBatchModel.CallSizes, size => Assert.InRange(size, 1, 3));
    }

    [Fact]
    public async Task BatchingFromJson_IsBoundPerModel()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            { "ModelActors": { "Models": {
                "batched": { "Type": "BatchDoubler", "MaxBatchSize": 4, "MaxDelay": "00:00:00.005", "QueueCapacity": 100, "Timeout": "00:00:02" }
            } } }
            """u8.ToArray())).Build();

        await using var library = ModelLibrary.CreateBuilder()
            .AddModelTypesFrom(typeof(BatchDoubler).Assembly)
            .Bind(configuration.GetSection("ModelActors"))
            .Build();
        var results = await library.Get<int, int>("batched").PredictBatchAsync(Enumerable.Range(0, 9).ToList());

        Assert.Equal(Enumerable.Range(0, 9).Select(i => i * 2), results);
    }

    [Fact]
    public async Task FallingBack_IsCountedInTheMeter()
    {
        var primary = ModelActors.TestKit.ProbeModel<int, int>.Failing(_ => new ModelFailure("down"));
        var backup = new ModelActors.TestKit.ProbeModel<int, int>(i => i);
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("primary", o => o.Fallback = "backup", _ => primary)
            .AddModel("backup", factory: _ => backup)
            .Build();
        long fallbacks = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, library.Metrics.Meter) && instrument.Name == "modelactors.fallbacks")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref fallbacks, value));
        listener.Start();

        await library.Get<int, int>("primary").PredictAsync(1);
        await library.Get<int, int>("primary").PredictAsync(2);

        Assert.Equal(2, Interlocked.Read(ref fallbacks));
    }
}

/// <summary>MaxBatchSize 1 merges nothing, so such a model runs without a batcher.</summary>
public sealed class MaxBatchSizeOneTests
{
    [Fact]
    public async Task AModelWithMaxBatchSizeOne_HasNoBatcher_IsDescribedAsBatchingOff_AndStillAnswers()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>("one", o => o.MaxBatchSize = 1)
            .AddModel<UpperModel>("two", o => o.MaxBatchSize = 2)
            .Build();
        await library.LoadAsync();

        Assert.Equal("A", await library.Get<string, string>("one").PredictAsync("a"));
        Assert.Equal(0, library.Describe("one").MaxBatchSize);
        Assert.Null(((ModelActors.Models.ModelEntry<string, string>)library.Entry("one")).Batcher);
        Assert.Equal(2, library.Describe("two").MaxBatchSize);
        Assert.NotNull(((ModelActors.Models.ModelEntry<string, string>)library.Entry("two")).Batcher);
    }
}
