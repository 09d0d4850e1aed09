namespace ModelActors.Tests.Models;

/// <summary>
/// The sync gateway called from thread-pool threads (ASP.NET handlers, other pool work) while those calls hold every
/// pool thread there is: the answers must reach them without a pool thread — async replicas run on their own
/// dispatcher, a dependency's answer resumes its async caller there, and a blocked caller is woken by the replica that
/// answers it. On the .NET pool alone these calls waited seconds for the pool to add threads (5.4 s measured here),
/// well past the 3 s deadline used below; with the pool's minimum threads left as they are.
/// </summary>
public sealed class SyncGatewayStarvationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task BlockingCallsOnEveryPoolThread_ToAnAsyncModelAwaitingAnAsyncDependency_AllComplete()
    {
        await using var library = await LoadedLibraryAsync();
        var sync = library.GetSync<int, int>("outer");
        var items = Enumerable.Range(0, 16).ToList();
        var callers = 4 * Environment.ProcessorCount;

        // Each caller blocks a pool thread: PredictBatch in chunks of 4, and Predict one item at a time.
        var batches = Enumerable.Range(0, callers).Select(_ => Task.Run(() => sync.PredictBatch(items, batchSize: 4))).ToArray();
        var singles = Enumerable.Range(0, callers).Select(c => Task.Run(() => sync.Predict(c))).ToArray();

        Assert.All(await Task.WhenAll(batches), results => Assert.Equal(items.Select(i => 2 * (i + 1)), results));
        Assert.Equal(Enumerable.Range(0, callers).Select(c => 2 * (c + 1)), await Task.WhenAll(singles));
    }

    [Theory]
    [InlineData(2, 0)] // Balancing with 2 replicas: its balancing actor hands out the work
    [InlineData(1, 4)] // batching: the batcher's graph forms the batches
    [InlineData(2, 4)]
    public async Task ManyBlockingCallsOnPoolThreads_ToAModelWithSeveralReplicasOrBatching_AllComplete(int replicas, int maxBatchSize)
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<PlusOne>("plus-one", o =>
            {
                o.Timeout = Deadline;
                o.Replicas = replicas;
                o.MaxBatchSize = maxBatchSize == 0 ? null : maxBatchSize;
            })
            .Build();
        await library.LoadAsync();
        var sync = library.GetSync<int, int>("plus-one");
        var callers = 16 * Environment.ProcessorCount; // well past the pool's threads (64 callers on 2 cores waited 5-8 s on the pool alone)

        var calls = Enumerable.Range(0, callers).Select(c => Task.Run(() => sync.Predict(c))).ToArray();

        Assert.Equal(Enumerable.Range(1, callers), await Task.WhenAll(calls));
    }

    [Fact]
    public async Task PredictGenOnEveryPoolThread_ToAnAsyncModelAwaitingAnAsyncDependency_AllComplete()
    {
        await using var library = await LoadedLibraryAsync();
        var sync = library.GetSync<int, int>("outer");
        var items = Enumerable.Range(0, 16).ToList();
        var callers = 4 * Environment.ProcessorCount;

        // Each caller blocks a pool thread for every result of its stream (chunks of 4).
        var streams = Enumerable.Range(0, callers).Select(_ => Task.Run(() => sync.PredictGen(items, batchSize: 4).ToList())).ToArray();

        Assert.All(await Task.WhenAll(streams).WaitAsync(2 * Deadline), results => Assert.Equal(items.Select(i => 2 * (i + 1)), results));
    }

    /// <summary>"outer" (an async model awaiting its async dependency "plus-one"), loaded, both with the test's deadline.</summary>
    private static async Task<ModelLibrary> LoadedLibraryAsync()
    {
        var library = ModelLibrary.CreateBuilder()
            .AddModel<PlusOne>("plus-one", o => o.Timeout = Deadline)
            .AddModel<TwiceThePlusOne>("outer", o => { o.Dependencies = ["plus-one"]; o.Timeout = Deadline; })
            .Build();
        await library.LoadAsync();
        return library;
    }

    /// <summary>Adds one; completes at once, so its answer comes from its replica, not from a timer or I/O.</summary>
    public sealed class PlusOne : AsyncModel<int, int>
    {
        /// <inheritdoc />
        protected override ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken) => ValueTask.FromResult(item + 1);
    }

    /// <summary>Awaits its dependency for each item, then doubles the answer.</summary>
    public sealed class TwiceThePlusOne : AsyncModel<int, int>
    {
        private IModelClient<int, int> _plusOne = null!;

        /// <inheritdoc />
        protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
        {
            _plusOne = context.Dependency<int, int>("plus-one");
            return ValueTask.CompletedTask;
        }

        /// <inheritdoc />
        protected override async ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken) =>
            2 * await _plusOne.PredictAsync(item, cancellationToken);
    }
}
