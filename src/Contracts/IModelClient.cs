namespace ModelActors;

/// <summary>
/// Calls a model from async code. A client is an actor reference with typed Ask: every call is a
/// message to the model's router pool, answered by one of its replicas.
/// </summary>
/// <remarks>
/// Per-call contract: results come back in input order; the batch size is the call's argument, else
/// the model's <c>BatchSize</c> setting, else the whole list (<see cref="PredictBatchAsync"/>) or 1
/// (<see cref="PredictStream(IAsyncEnumerable{TItem}, int?, CancellationToken)"/>); an empty input never reaches the model.
/// </remarks>
/// <typeparam name="TItem">The model's item type.</typeparam>
/// <typeparam name="TResult">The model's result type.</typeparam>
public interface IModelClient<TItem, TResult>
{
    /// <summary>The configuration name of the model this client calls.</summary>
    string ModelName { get; }

    /// <summary>Predicts one item.</summary>
    /// <param name="item">The input item.</param>
    /// <param name="cancellationToken">Cancels the call; a call still queued never reaches the model.</param>
    /// <returns>The model's result.</returns>
    ValueTask<TResult> PredictAsync(TItem item, CancellationToken cancellationToken = default);

    /// <summary>Predicts a list of items, cut into chunks of the resolved batch size.</summary>
    /// <param name="items">The input items.</param>
    /// <param name="batchSize">The chunk size; <see langword="null"/> for the model's setting or else the whole list.</param>
    /// <param name="cancellationToken">Cancels the call and every chunk not yet answered.</param>
    /// <returns>One result per item, in input order.</returns>
    ValueTask<IReadOnlyList<TResult>> PredictBatchAsync(IReadOnlyList<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Predicts a stream: pulls <paramref name="items"/> lazily, keeps a bounded number of chunks in
    /// flight (the model's replica count unless configured), and yields results in input order.
    /// Breaking out of the loop cancels the chunks still in flight.
    /// </summary>
    /// <param name="items">The input stream.</param>
    /// <param name="batchSize">The chunk size; <see langword="null"/> for the model's setting or else 1.</param>
    /// <param name="cancellationToken">Cancels the stream.</param>
    /// <returns>The results, in input order.</returns>
    IAsyncEnumerable<TResult> PredictStream(IAsyncEnumerable<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default);

    /// <summary>Predicts a stream from a synchronous sequence, with the same contract as the async overload.</summary>
    /// <param name="items">The input sequence, enumerated lazily.</param>
    /// <param name="batchSize">The chunk size; <see langword="null"/> for the model's setting or else 1.</param>
    /// <param name="cancellationToken">Cancels the stream.</param>
    /// <returns>The results, in input order.</returns>
    IAsyncEnumerable<TResult> PredictStream(IEnumerable<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default);
}
