namespace ModelActors.Models;

/// <summary>
/// The message a model replica receives: one caller's item (or chunk of items) with its reply slot.
/// The replica takes it with <see cref="TryBegin"/> (false when the caller already timed out or
/// cancelled: it then never reaches the model), answers with one of the completions, and releases it.
/// </summary>
internal interface IModelWork<TItem, TResult>
{
    /// <summary>True when the work is one item sent by <c>PredictAsync</c>.</summary>
    bool IsSingle { get; }

    /// <summary>The item of single work.</summary>
    TItem Item { get; }

    /// <summary>The items (a one-element list for single work).</summary>
    IReadOnlyList<TItem> Items { get; }

    /// <summary>The caller's token.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>Takes the work; false when it was already completed by a timeout or a cancellation.</summary>
    bool TryBegin();

    /// <summary>Answers single work.</summary>
    void Complete(TResult result);

    /// <summary>Answers with one result per item.</summary>
    void Complete(IReadOnlyList<TResult> results);

    /// <summary>Fails the work.</summary>
    void Fail(Exception exception);

    /// <summary>The actor side is done with the work.</summary>
    void Release();
}
