namespace ModelActors;

/// <summary>
/// A synchronous model: each replica runs on a dedicated thread of its own, so <see cref="Predict"/> and
/// <see cref="PredictBatch"/> may block (native inference, a blocking call to a dependency through
/// <see cref="ModelContext.SyncDependency{TIn, TOut}"/>) without starving the thread pool.
/// </summary>
/// <remarks>
/// Override exactly one of <see cref="Predict"/> and <see cref="PredictBatch"/>; overriding neither or
/// both is reported when the model is registered, naming the class.
/// </remarks>
/// <typeparam name="TItem">The type of one input item.</typeparam>
/// <typeparam name="TResult">The type of one result.</typeparam>
public abstract class Model<TItem, TResult> : ModelBase<TItem, TResult>
{
    /// <summary>Loads assets and resolves dependencies. Called once per replica, on that replica's thread.</summary>
    /// <param name="context">The model's name, settings, asset path, dependencies, logger and services.</param>
    protected virtual void Load(ModelContext context)
    {
    }

    /// <summary>Predicts one item.</summary>
    /// <param name="item">The input item.</param>
    /// <param name="cancellationToken">Cancelled when the caller gives up.</param>
    /// <returns>The result for <paramref name="item"/>.</returns>
    protected virtual TResult Predict(TItem item, CancellationToken cancellationToken)
    {
        var results = PredictBatch([item], cancellationToken);
        return results.Count == 1
            ? results[0]
            : throw new ModelResultCountException(GetType().Name, 1, results.Count);
    }

    /// <summary>Predicts a batch of items; the results are in the order of the items.</summary>
    /// <param name="items">The input items; never empty.</param>
    /// <param name="cancellationToken">Cancelled when the caller gives up.</param>
    /// <returns>One result per item, in input order.</returns>
    protected virtual IReadOnlyList<TResult> PredictBatch(IReadOnlyList<TItem> items, CancellationToken cancellationToken)
    {
        var results = new TResult[items.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Predict(items[i], cancellationToken);
        }

        return results;
    }

    internal sealed override bool IsSync => true;

    internal sealed override ValueTask LoadCoreAsync(ModelContext context, CancellationToken cancellationToken)
    {
        Load(context);
        return ValueTask.CompletedTask;
    }

    internal sealed override ValueTask<TResult> PredictOneCoreAsync(TItem item, CancellationToken cancellationToken) =>
        new(Predict(item, cancellationToken));

    internal sealed override ValueTask<IReadOnlyList<TResult>> PredictManyCoreAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken) =>
        new(PredictBatch(items, cancellationToken));
}
