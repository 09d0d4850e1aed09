namespace ModelActors;

/// <summary>
/// The common base of <see cref="Model{TItem, TResult}"/> and <see cref="AsyncModel{TItem, TResult}"/>.
/// Derive from one of those two, never from this class directly.
/// </summary>
/// <typeparam name="TItem">The type of one input item.</typeparam>
/// <typeparam name="TResult">The type of one result.</typeparam>
public abstract class ModelBase<TItem, TResult>
{
    private protected ModelBase()
    {
    }

    /// <summary>Whether the model blocks (sync, on a dedicated thread per replica) or awaits (async, on the thread pool).</summary>
    internal abstract bool IsSync { get; }

    /// <summary>Loads the model. Called once per replica before any prediction.</summary>
    internal abstract ValueTask LoadCoreAsync(ModelContext context, CancellationToken cancellationToken);

    /// <summary>Predicts one item through the single-item method, or the batch method when only that is overridden.</summary>
    internal abstract ValueTask<TResult> PredictOneCoreAsync(TItem item, CancellationToken cancellationToken);

    /// <summary>Predicts a batch through the batch method, or item by item when only the single-item method is overridden.</summary>
    internal abstract ValueTask<IReadOnlyList<TResult>> PredictManyCoreAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken);
}
