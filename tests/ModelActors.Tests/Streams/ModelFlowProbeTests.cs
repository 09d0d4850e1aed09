using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using ModelActors.Streams;
using ModelActors.TestKit;

namespace ModelActors.Tests.Streams;

/// <summary>A model Flow between Akka.Streams.TestKit probes, as a stream user tests one.</summary>
public sealed class ModelFlowProbeTests : ModelActorsTestKit
{
    [Fact]
    public async Task TheFlow_PullsOnlyWhatIsDemanded_AndAnswersInOrder()
    {
        var model = new ProbeModel<int, int>(i => i * 10);
        var library = CreateLibrary(b => b.AddModel("m", factory: _ => model));
        var (source, sink) = this.SourceProbe<int>()
            .Via(library.Get<int, int>("m").AsFlow())
            .ToMaterialized(this.SinkProbe<int>(), Keep.Both)
            .Run(Sys.Materializer());

        await sink.RequestAsync(1);
        await source.ExpectRequestAsync();
        await source.SendNextAsync(1);
        await sink.ExpectNextAsync(10);

        await sink.RequestAsync(2);
        await source.SendNextAsync(2);
        await source.SendNextAsync(3);
        await sink.ExpectNextNAsync(new[] { 20, 30 });
        await source.SendCompleteAsync();
        await sink.ExpectCompleteAsync();
        Assert.Equal([1, 2, 3], model.Items);
    }

    [Fact]
    public async Task AFullChunk_LeavesAtOnce_WithoutWaitingForTheWindow()
    {
        var model = new ProbeModel<int, int>(i => -i);
        var library = CreateLibrary(b => b.AddModel("m", factory: _ => model));
        var (source, sink) = this.SourceProbe<int>()
            .Via(library.Get<int, int>("m").AsFlow(batchSize: 2, maxDelay: TimeSpan.FromHours(1)))
            .ToMaterialized(this.SinkProbe<int>(), Keep.Both)
            .Run(Sys.Materializer());

        await sink.RequestAsync(2);
        await source.SendNextAsync(4);
        await source.SendNextAsync(5);

        await sink.ExpectNextNAsync(new[] { -4, -5 }); // no time advanced: the chunk was full
        Assert.Equal([4, 5], Assert.Single(model.Batches));
    }

    [Fact]
    public async Task AnUpstreamFailure_ReachesTheSink()
    {
        var library = CreateLibrary(b => b.AddModel<UpperModel>());
        var (source, sink) = this.SourceProbe<string>()
            .Via(library.Get<string, string>("upper").AsFlow())
            .ToMaterialized(this.SinkProbe<string>(), Keep.Both)
            .Run(Sys.Materializer());

        await sink.RequestAsync(1);
        await source.SendErrorAsync(new ModelFailure("upstream broke"));

        Assert.Equal("upstream broke", (await sink.ExpectErrorAsync()).Message);
    }
}
