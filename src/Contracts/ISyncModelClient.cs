namespace ModelActors;

/// <summary>
/// The sync gateway: calls a model from code that cannot await (a sync model, a legacy service).
/// Each call blocks the calling thread until the model answers; the model itself runs on its own
/// replicas, so a blocked caller never holds a thread-pool thread the model needs.
/// </summary>
/// <typeparam name="TItem">The model's item type.</typeparam>
/// <typeparam name="TResult">The model's result type.</typeparam>
public interface ISyncModelClient<TItem, TResult>
{
    /// <summary>The configuration name of the model this client calls.</summary>
    string ModelName { get; }

    /// <summary>Predicts one item, blocking until the result arrives.</summary>
    /// <param name="item">The input item.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model's result.</returns>
    TResult Predict(TItem item, CancellationToken cancellationToken = default);

    /// <summary>Predicts a list of items, cut into chunks of the resolved batch size, blocking until all results arrive.</summary>
    /// <param name="items">The input items.</param>
    /// <param name="batchSize">The chunk size; <see langword="null"/> for the model's setting or else the whole list.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per item, in input order.</returns>
    IReadOnlyList<TResult> PredictBatch(IReadOnlyList<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default);

    /// <summary>Predicts a lazily enumerated sequence, yielding results in input order (modelkit's <c>predict_gen</c>).</summary>
    /// <param name="items">The input sequence, enumerated lazily.</param>
    /// <param name="batchSize">The chunk size; <see langword="null"/> for the model's setting or else 1.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The results, in input order.</returns>
    IEnumerable<TResult> PredictGen(IEnumerable<TItem> items, int? batchSize = null, CancellationToken cancellationToken = default);
}
