using System.Collections;
using ModelActors.TestKit;

namespace ModelActors.Tests.Batching;

/// <summary>
/// The callers of a batch merged from several callers' work are answered off the replica's thread, from
/// the result list the model returned (which may compute its items when read).
/// </summary>
public sealed class DeliveryTests
{
    [Fact]
    public async Task AResultThatFailsWhenRead_FailsOnlyItsCaller_NamingTheModel_AndTheReplicaCarriesOn()
    {
        var model = new LazyResultsModel();
        await using var library = Library(model);
        var client = library.Get<int, int>("lazy");
        var holder = client.PredictAsync(-1).AsTask();
        await model.Holding.Task;
        var grouped = library.PiecesGroupedAsync("lazy", 3);
        var calls = new[] { 1, LazyResultsModel.Poison, 3 }.Select(i => client.PredictAsync(i).AsTask()).ToList();
        await grouped;

        model.Release.Set();

        Assert.Equal(-10, await holder);
        Assert.Equal(10, await calls[0]);
        var error = await Assert.ThrowsAsync<ModelFailure>(() => calls[1]);
        Assert.Equal("lazy", ModelErrors.GetModelName(error));
        Assert.Equal(30, await calls[2]);
        Assert.Equal([1, LazyResultsModel.Poison, 3], model.Batches[1]); // one merged batch of three callers
        Assert.Equal(40, await client.PredictAsync(4));
        Assert.Equal(0, library.Describe("lazy").QueueDepth);
    }

    [Fact]
    public async Task Stopping_WaitsForTheAnswersStillBeingDelivered_BeforeDisposingTheModel()
    {
        var model = new LazyResultsModel();
        var library = Library(model);
        var client = library.Get<int, int>("lazy");
        var holder = client.PredictAsync(-1).AsTask();
        await model.Holding.Task;
        var slow = client.PredictAsync(LazyResultsModel.Slow).AsTask();
        var fast = client.PredictAsync(5).AsTask();
        model.Release.Set();
        await model.ReadingSlow.Task; // a delivery is reading the slow result on the thread pool

        var stopping = library.DisposeAsync().AsTask();
        Assert.False(stopping.IsCompleted); // cannot finish while an answer is still being read
        Assert.False(model.Disposed);
        model.ReleaseSlow.Set();
        await stopping;

        Assert.True(model.Disposed);
        Assert.Equal(-10, await holder);
        Assert.Equal(LazyResultsModel.Slow * 10, await slow);
        Assert.Equal(50, await fast);
    }

    [Fact]
    public async Task ABatchWithABlockedCaller_IsAnsweredOnTheReplicasOwnThread_NotThroughThePool()
    {
        // The batch goes only when both calls are queued: two items fill it, and MaxDelay never passes on the manual clock.
        var model = new LazyResultsModel();
        await using var library = ModelLibrary.CreateBuilder()
            .UseTimeProvider(new ManualTimeProvider())
            .AddModel("lazy", o => { o.MaxBatchSize = 2; o.MaxDelay = TimeSpan.FromHours(1); o.Timeout = TimeSpan.FromHours(2); }, _ => model)
            .Build();
        await library.LoadAsync();
        var asyncCall = library.Get<int, int>("lazy").PredictAsync(8).AsTask();
        var syncResult = 0;
        var blocked = new Thread(() => syncResult = library.GetSync<int, int>("lazy").Predict(7)) { IsBackground = true };

        blocked.Start();
        Assert.Equal(80, await asyncCall);
        blocked.Join();

        Assert.Equal(70, syncResult);
        Assert.Equal([8, 7], Assert.Single(model.Batches));
        Assert.False(model.ReadOnPool[7]); // read (and answered) on the replica's dedicated thread
        Assert.False(model.ReadOnPool[8]);
    }

    [Fact]
    public async Task ABatchOfAsyncCallersOnly_IsAnsweredOnThePool()
    {
        var model = new LazyResultsModel();
        await using var library = Library(model);
        var client = library.Get<int, int>("lazy");
        var holder = client.PredictAsync(-1).AsTask();
        await model.Holding.Task;
        var grouped = library.PiecesGroupedAsync("lazy", 2);
        var calls = new[] { 11, 12 }.Select(i => client.PredictAsync(i).AsTask()).ToList();
        await grouped;

        model.Release.Set();
        await Task.WhenAll(calls);
        await holder;

        Assert.Equal([11, 12], model.Batches[1]);
        Assert.True(model.ReadOnPool[11]);
        Assert.True(model.ReadOnPool[12]);
    }

    private static ModelLibrary Library(LazyResultsModel model) => ModelLibrary.CreateBuilder()
        .AddModel("lazy", o => { o.MaxBatchSize = 8; o.MaxDelay = TimeSpan.Zero; o.Timeout = TimeSpan.FromMinutes(1); }, _ => model)
        .Build();

    /// <summary>A sync model whose results are computed when read: item × 10, except the poison (reading it throws) and the slow item (reading it waits).</summary>
    private sealed class LazyResultsModel : Model<int, int>, IDisposable
    {
        public const int Poison = 13;
        public const int Slow = 99;
        private readonly Lock _gate = new();
        private readonly List<IReadOnlyList<int>> _batches = [];
        private int _disposed;

        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Release { get; } = new();

        public TaskCompletionSource ReadingSlow { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim ReleaseSlow { get; } = new();

        public bool Disposed => Volatile.Read(ref _disposed) == 1;

        /// <summary>For each item read, whether it was read on a thread-pool thread.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<int, bool> ReadOnPool { get; } = new();

        public IReadOnlyList<IReadOnlyList<int>> Batches
        {
            get
            {
                lock (_gate)
                {
                    return [.. _batches];
                }
            }
        }

        public void Dispose() => Volatile.Write(ref _disposed, 1);

        protected override IReadOnlyList<int> PredictBatch(IReadOnlyList<int> items, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _batches.Add([.. items]);
            }

            if (items.Contains(-1))
            {
                Holding.TrySetResult();
                Release.Wait(cancellationToken); // holds the replica while the next callers queue
            }

            return new LazyResults(this, [.. items]);
        }

        private sealed class LazyResults(LazyResultsModel model, int[] items) : IReadOnlyList<int>
        {
            public int Count => items.Length;

            public int this[int index]
            {
                get
                {
                    var item = items[index];
                    model.ReadOnPool[item] = Thread.CurrentThread.IsThreadPoolThread;
                    if (item == Poison)
                    {
                        throw new ModelFailure($"result {index} cannot be read");
                    }

                    if (item == Slow)
                    {
                        model.ReadingSlow.TrySetResult();
                        model.ReleaseSlow.Wait();
                    }

                    return item * 10;
                }
            }

            public IEnumerator<int> GetEnumerator()
            {
                for (var i = 0; i < Count; i++)
                {
                    yield return this[i];
                }
            }

            IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        }
    }
}
