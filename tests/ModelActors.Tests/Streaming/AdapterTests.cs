using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Akka.Streams;
using Akka.Streams.Dsl;
using ModelActors.Streaming;
using ModelActors.Streams;
using ModelActors.TestKit;

namespace ModelActors.Tests.Streaming;

public sealed class AdapterTests
{
    [Fact]
    public async Task DataflowBlock_PreservesOrder_WhileManyItemsAreInFlight()
    {
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            await Task.Yield();
            return [.. items.Select(i => i * 2)];
        });
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("m", o => { o.Replicas = 4; o.MaxBatchSize = 8; }, _ => probe)
            .Build();
        var block = library.Get<int, int>("m").ToDataflowBlock(maxInFlight: 32, boundedCapacity: 64);
        var results = new List<int>();
        var sink = new ActionBlock<int>(results.Add);
        block.LinkTo(sink, new DataflowLinkOptions { PropagateCompletion = true });

        for (var i = 0; i < 500; i++)
        {
            await block.SendAsync(i);
        }

        block.Complete();
        await sink.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 500).Select(i => i * 2), results);
    }

    [Fact]
    public async Task DataflowBlock_IsBounded()
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();
        var block = library.Get<int, int>("m").ToDataflowBlock(maxInFlight: 2, boundedCapacity: 4);

        var accepted = Enumerable.Range(0, 4).Select(i => block.Post(i)).ToList();

        Assert.All(accepted, Assert.True);
        Assert.False(block.Post(5)); // full: Post declines, SendAsync would wait
        gate.SetResult();
    }

    [Fact]
    public async Task DataflowBlock_FaultsWithTheModelsException()
    {
        var probe = ProbeModel<int, int>.Failing(_ => new ModelFailure("broken"));
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();
        var block = library.Get<int, int>("m").ToDataflowBlock();

        await block.SendAsync(1);
        block.Complete();

        var error = await Assert.ThrowsAsync<ModelFailure>(() => block.Completion);
        Assert.Equal("broken", error.Message);
    }

    [Fact]
    public async Task ChannelToChannel_WithAkkasChannelSourceAndSink_WritesResultsInOrder_AndCompletesWithTheInput()
    {
        var probe = new ProbeModel<int, int>(async (items, _) =>
        {
            await Task.Yield();
            return [.. items.Select(i => -i)];
        });
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", o => o.Replicas = 3, _ => probe).Build();
        var input = Channel.CreateUnbounded<int>();
        var output = ChannelSource.FromReader(input.Reader)
            .Via(library.Get<int, int>("m").AsFlow(parallelism: 8))
            .RunWith(ChannelSink.AsReader<int>(1024, singleReader: true, BoundedChannelFullMode.Wait), library.ActorSystem.Materializer());

        for (var i = 0; i < 100; i++)
        {
            await input.Writer.WriteAsync(i);
        }

        input.Writer.Complete();
        var results = await output.ReadAllAsync().ToListAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 100).Select(i => -i), results);
    }

    [Fact]
    public async Task ChannelToChannel_WithAkkasChannelSourceAndSink_CompletesWithTheModelsException()
    {
        var probe = ProbeModel<int, int>.Failing(_ => new ModelFailure("broken"));
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();
        var input = Channel.CreateUnbounded<int>();
        var output = ChannelSource.FromReader(input.Reader)
            .Via(library.Get<int, int>("m").AsFlow())
            .RunWith(ChannelSink.AsReader<int>(16, singleReader: true, BoundedChannelFullMode.Wait), library.ActorSystem.Materializer());

        await input.Writer.WriteAsync(1);
        input.Writer.Complete();

        await Assert.ThrowsAsync<ModelFailure>(() => output.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
