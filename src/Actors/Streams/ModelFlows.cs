using Akka;
using Akka.Streams.Dsl;
using ModelActors.Models;

namespace ModelActors.Streams;

/// <summary>
/// Models as Akka.Streams stages, for users' own graphs: <see cref="AsFlow"/> and <see cref="PredictSource"/>.
/// Items are cut into chunks by <c>GroupedWithin(batchSize, maxDelay)</c> (a chunk leaves when full, or
/// <c>maxDelay</c> after its first item, on Akka's scheduler, which ticks every 10 ms), each chunk is one
/// <see cref="IModelClient{TItem, TResult}.PredictBatchAsync"/> call (merged with other callers' work when
/// the model batches), at most <c>parallelism</c> chunks are in flight, and results leave in input order.
/// Back-pressure is Akka's: a slow downstream stops the pulls from upstream.
/// </summary>
public static class ModelFlows
{
    /// <summary>
    /// The model as a reusable <c>Flow</c>: one result per item, in order. A model failure fails the
    /// stream with the model's own exception; when the stream ends early (downstream cancels, or a
    /// failure), the chunks still in flight are cancelled.
    /// </summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <param name="client">The model.</param>
    /// <param name="batchSize">Items per chunk; <see langword="null"/> for the model's <c>BatchSize</c>, else 1.</param>
    /// <param name="parallelism">Chunks in flight; <see langword="null"/> for the model's <c>MaxChunksInFlight</c> (its replica count by default).</param>
    /// <param name="maxDelay">How long a chunk waits for more items after its first; <see langword="null"/> for the model's <c>StreamMaxDelay</c> (50 ms by default).</param>
    /// <returns>The flow.</returns>
    public static Flow<TItem, TResult, NotUsed> AsFlow<TItem, TResult>(this IModelClient<TItem, TResult> client, int? batchSize = null, int? parallelism = null, TimeSpan? maxDelay = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var entry = (client as ModelClient<TItem, TResult>)?.Entry;
        var size = Chunking.ResolveBatchSize(batchSize, entry?.Definition.BatchSize, 1);
        var inFlight = parallelism ?? entry?.MaxChunksInFlight ?? 1;
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1, nameof(parallelism));
        var delay = maxDelay ?? entry?.Definition.StreamMaxDelay ?? ModelDefinition.DefaultStreamMaxDelay;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero, nameof(maxDelay));

        return Create<TItem, TResult>((chunk, token) => client.PredictBatchAsync(chunk, chunk.Count, token).AsTask(), size, inFlight, delay);
    }

    /// <summary>The results of the model for every item of <paramref name="source"/>: <c>source.Via(client.AsFlow(...))</c>.</summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <typeparam name="TMat">The source's materialized value, kept.</typeparam>
    /// <param name="client">The model.</param>
    /// <param name="source">The items.</param>
    /// <param name="batchSize">Items per chunk (see <see cref="AsFlow"/>).</param>
    /// <param name="parallelism">Chunks in flight (see <see cref="AsFlow"/>).</param>
    /// <param name="maxDelay">How long a chunk waits for more items after its first (see <see cref="AsFlow"/>).</param>
    /// <returns>The source of results, in input order.</returns>
    public static Source<TResult, TMat> PredictSource<TItem, TResult, TMat>(this IModelClient<TItem, TResult> client, Source<TItem, TMat> source, int? batchSize = null, int? parallelism = null, TimeSpan? maxDelay = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Via(client.AsFlow(batchSize, parallelism, maxDelay));
    }

    /// <summary>
    /// <c>PredictStream</c> with this call's own <paramref name="maxDelay"/> instead of the model's
    /// <c>StreamMaxDelay</c>: a chunk leaves when it holds <paramref name="batchSize"/> items or
    /// <paramref name="maxDelay"/> after its first (on Akka's scheduler, which ticks every 10 ms).
    /// </summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <param name="client">A model client from a <see cref="ModelLibrary"/>.</param>
    /// <param name="items">The items, pulled lazily.</param>
    /// <param name="maxDelay">How long a chunk waits for more items after its first; must be positive.</param>
    /// <param name="batchSize">Items per chunk; <see langword="null"/> for the model's <c>BatchSize</c>, else 1.</param>
    /// <param name="cancellationToken">Cancels the stream and the chunks in flight.</param>
    /// <returns>The results in input order.</returns>
    /// <exception cref="ArgumentException"><paramref name="client"/> does not come from a <see cref="ModelLibrary"/>.</exception>
    public static IAsyncEnumerable<TResult> PredictStream<TItem, TResult>(this IModelClient<TItem, TResult> client, IAsyncEnumerable<TItem> items, TimeSpan maxDelay, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxDelay, TimeSpan.Zero, nameof(maxDelay));
        var library = client as ModelClient<TItem, TResult>
            ?? throw new ArgumentException("A per-call maxDelay needs a client from a ModelLibrary (Get<TItem, TResult>).", nameof(client));
        _ = Chunking.ResolveBatchSize(batchSize, library.Entry.Definition.BatchSize, 1);
        return Chunking.PredictStream(library.Entry, items, batchSize, library.Caller, cancellationToken, maxDelay);
    }

    /// <summary><c>PredictStream</c> over a synchronous sequence with this call's own <paramref name="maxDelay"/> (see the <see cref="IAsyncEnumerable{T}"/> overload).</summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <param name="client">A model client from a <see cref="ModelLibrary"/>.</param>
    /// <param name="items">The items, pulled lazily.</param>
    /// <param name="maxDelay">How long a chunk waits for more items after its first; must be positive.</param>
    /// <param name="batchSize">Items per chunk; <see langword="null"/> for the model's <c>BatchSize</c>, else 1.</param>
    /// <param name="cancellationToken">Cancels the stream and the chunks in flight.</param>
    /// <returns>The results in input order.</returns>
    public static IAsyncEnumerable<TResult> PredictStream<TItem, TResult>(this IModelClient<TItem, TResult> client, IEnumerable<TItem> items, TimeSpan maxDelay, int? batchSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return client.PredictStream(Chunking.ToAsync(items), maxDelay, batchSize, cancellationToken);
    }

    /// <summary>The stages behind <see cref="AsFlow"/> and <c>PredictStream</c>: chunk, predict in order, flatten.</summary>
    internal static Flow<TItem, TResult, NotUsed> Create<TItem, TResult>(Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> predict, int size, int inFlight, TimeSpan delay) =>
        Flow.Setup<TItem, TResult, NotUsed>((_, _) =>
        {
            // One per materialization: cancels the chunks in flight when this run of the stream ends.
            var ended = new CancellationTokenSource();
            return Chunks<TItem>(size, delay)
                .SelectAsync(inFlight, chunk => AsOutcome(predict(chunk, ended.Token)))
                .SelectMany(ResultsOrThrow)
                .WatchTermination((_, done) =>
                {
                    done.ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Cancel(), ended, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    return NotUsed.Instance;
                });
        }).MapMaterializedValue(_ => NotUsed.Instance);

    /// <summary>
    /// A chunk's call as a task that never faults: SelectAsync would fail the stream with a faulted task's
    /// exception sometimes wrapped in an AggregateException, depending on when the task completed.
    /// </summary>
    private static Task<Task<IReadOnlyList<TResult>>> AsOutcome<TResult>(Task<IReadOnlyList<TResult>> call) =>
        call.ContinueWith(static done => done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>The chunk's results, or the model's own exception thrown (the stage then fails the stream with it).</summary>
    private static IReadOnlyList<TResult> ResultsOrThrow<TResult>(Task<IReadOnlyList<TResult>> call)
    {
        if (call.IsCompletedSuccessfully)
        {
            return call.Result;
        }

        if (call.Exception is { InnerExceptions.Count: 1 } single)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(single.InnerExceptions[0]);
        }

        // Cancelled (the stream is ending anyway), or several errors: GetResult throws what the task holds.
        return call.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Cuts items into chunks: full, or <paramref name="delay"/> after the first item. Items travel boxed
    /// through <c>GroupedWithin</c>, which can lose a value-type element equal to <c>default</c>.
    /// </summary>
    private static Flow<TItem, IReadOnlyList<TItem>, NotUsed> Chunks<TItem>(int size, TimeSpan delay) =>
        size == 1
            ? Flow.Create<TItem>().Select(item => (IReadOnlyList<TItem>)[item])
            : Flow.Create<TItem>()
                .Select(item => new Boxed<TItem>(item))
                .GroupedWithin(size, delay)
                .Select(group => (IReadOnlyList<TItem>)[.. group.Select(boxed => boxed.Value)]);

    /// <summary>An item as a reference type.</summary>
    private sealed record Boxed<T>(T Value);
}
