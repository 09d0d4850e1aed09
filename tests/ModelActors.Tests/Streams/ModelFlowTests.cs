using System.Runtime.CompilerServices;
using Akka.Streams;
using Akka.Streams.Dsl;
using ModelActors.Streams;
using ModelActors.TestKit;

namespace ModelActors.Tests.Streams;

/// <summary>Models as Akka.Streams stages in a user's own graph, and live sources cut by time.</summary>
public sealed class ModelFlowTests
{
    [Fact]
    public async Task AUsersGraph_ChainsTwoModelFlows_InOrder_WithTheUsersMaterializer()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<UpperModel>().AddModel<LengthModel>().Build();
        var materializer = library.ActorSystem.Materializer();

        var lengths = await Source.From(["a", "bb", "ccc", "dddd"])
            .Via(library.Get<string, string>("upper").AsFlow(batchSize: 2))
            .Via(library.Get<string, int>("length").AsFlow())
            .RunWith(Sink.Seq<int>(), materializer);

        Assert.Equal([1, 2, 3, 4], lengths);
    }

    [Fact]
    public async Task ASlowSink_StopsTheSource_BackPressure()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<UpperModel>().Build();
        var materializer = library.ActorSystem.Materializer();
        var pulled = 0;

        IEnumerable<string> Endless()
        {
            for (var i = 0; ; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return $"item{i}";
            }
        }

        var queue = Source.From(Endless())
            .Via(library.Get<string, string>("upper").AsFlow())
            .RunWith(Sink.Queue<string>().WithAttributes(Attributes.CreateInputBuffer(1, 1)), materializer);

        Assert.Equal("ITEM0", (await queue.PullAsync()).Value);
        Assert.Equal("ITEM1", (await queue.PullAsync()).Value);
        Assert.InRange(Volatile.Read(ref pulled), 2, 40); // never more than the stages' small buffers ahead
    }

    [Fact]
    public async Task CancellingPredictStream_CancelsTheChunkInFlight_InsteadOfWaitingForIt()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new ProbeModel<int, int>(async (items, ct) =>
        {
            started.TrySetResult();
            try
            {
                await new TaskCompletionSource().Task.WaitAsync(ct); // held until the call is cancelled
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }

            return items;
        });
        await using var library = ModelLibrary.CreateBuilder().AddModel("held", o => o.Timeout = TimeSpan.FromHours(1), _ => probe).Build();
        using var caller = new CancellationTokenSource();

        var reading = Task.Run(async () =>
        {
            await foreach (var _ in library.Get<int, int>("held").PredictStream([1], cancellationToken: caller.Token))
            {
            }
        });
        await started.Task;
        await caller.CancelAsync();

        await cancelled.Task; // the model saw it: the one-hour deadline is not what ended the call
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }

    [Fact]
    public async Task AModelFailure_FailsTheUsersGraph_WithTheModelsException()
    {
        var probe = new ProbeModel<int, int>((items, _) => items.Contains(2) ? throw new ModelFailure("two") : ValueTask.FromResult<IReadOnlyList<int>>([.. items]));
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();

        var running = PredictSourceOf(library, [1, 2, 3]).RunWith(Sink.Seq<int>(), library.ActorSystem.Materializer());

        var error = await Assert.ThrowsAsync<ModelFailure>(() => running);
        Assert.Equal("two", error.Message);
    }

    [Fact]
    public async Task ItemsEqualToDefault_AllGetTheirAnswers_ThroughAChunkedFlow()
    {
        var probe = new ProbeModel<int, int>((items, _) => ValueTask.FromResult<IReadOnlyList<int>>([.. items.Select(i => i + 1)]));
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => probe).Build();

        var results = await Source.From([0, 0, 5, 0]).Via(library.Get<int, int>("m").AsFlow(batchSize: 4))
            .RunWith(Sink.Seq<int>(), library.ActorSystem.Materializer());

        Assert.Equal([1, 1, 6, 1], results);
        Assert.Equal([0, 0, 5, 0], Assert.Single(probe.Batches));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ALiveSourceThatWaitsForItsResults_DoesNotStall_WithABatchSizeAboveOne(bool syncModel)
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>("sync")
            .AddModel("async", factory: _ => new ProbeModel<string, string>(s => s.ToUpperInvariant()))
            .Build();
        var client = library.Get<string, string>(syncModel ? "sync" : "async");
        var answered = new SemaphoreSlim(0);

        async IAsyncEnumerable<string> Conversation([EnumeratorCancellation] CancellationToken ct = default)
        {
            for (var i = 0; i < 3; i++)
            {
                yield return $"line{i}";
                await answered.WaitAsync(ct); // like an audio or socket loop: the next item needs this one's result
            }
        }

        var results = new List<string>();
        await foreach (var result in client.PredictStream(Conversation(), batchSize: 8))
        {
            results.Add(result);
            answered.Release();
        }

        Assert.Equal(["LINE0", "LINE1", "LINE2"], results);
    }

    [Fact]
    public async Task APerCallMaxDelay_OverridesTheModelsStreamMaxDelay_SoALiveSourceGetsItsResults()
    {
        // With the model's own hour-long StreamMaxDelay this conversation would wait an hour per line.
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("slow-window", o => o.StreamMaxDelay = TimeSpan.FromHours(1), _ => new ProbeModel<string, string>(s => s.ToUpperInvariant()))
            .Build();
        var client = library.Get<string, string>("slow-window");
        var answered = new SemaphoreSlim(0);

        async IAsyncEnumerable<string> Conversation([EnumeratorCancellation] CancellationToken ct = default)
        {
            for (var i = 0; i < 3; i++)
            {
                yield return $"line{i}";
                await answered.WaitAsync(ct);
            }
        }

        var results = new List<string>();
        await foreach (var result in client.PredictStream(Conversation(), maxDelay: TimeSpan.FromMilliseconds(10), batchSize: 8).WithCancellation(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token))
        {
            results.Add(result);
            answered.Release();
        }

        Assert.Equal(["LINE0", "LINE1", "LINE2"], results);
    }

    [Fact]
    public async Task APerCallMaxDelay_MustBePositive_AndNeedsALibraryClient()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel("m", factory: _ => new ProbeModel<int, int>(i => i)).Build();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => library.Get<int, int>("m").PredictStream([1], TimeSpan.Zero));
        Assert.Equal("maxDelay", error.ParamName);
        var foreign = Assert.Throws<ArgumentException>(() => new ForeignClient().PredictStream([1], TimeSpan.FromMilliseconds(5)));
        Assert.Equal("client", foreign.ParamName);
    }

    private static Source<int, Akka.NotUsed> PredictSourceOf(ModelLibrary library, int[] items) =>
        library.Get<int, int>("m").PredictSource(Source.From(items));

    /// <summary>A client written by hand (a user's fake), not from a library.</summary>
    private sealed class ForeignClient : IModelClient<int, int>
    {
        public string ModelName => "fake";

        public ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken = default) => ValueTask.FromResult(item);

        public ValueTask<IReadOnlyList<int>> PredictBatchAsync(IReadOnlyList<int> items, int? batchSize = null, CancellationToken cancellationToken = default) => ValueTask.FromResult(items);

        public IAsyncEnumerable<int> PredictStream(IAsyncEnumerable<int> items, int? batchSize = null, CancellationToken cancellationToken = default) => items;

        public IAsyncEnumerable<int> PredictStream(IEnumerable<int> items, int? batchSize = null, CancellationToken cancellationToken = default) => items.ToAsyncEnumerable();
    }
}
