namespace ModelActors.Models;

/// <summary>
/// The message a model replica receives: one caller's item (or chunk of items) with its reply slot.
/// The replica takes it with <see cref="TryBegin"/> (false when the caller already timed out or
/// cancelled: it then never reaches the model), answers with one of the completions, and releases it.
/// The batcher instead takes parts of it (<see cref="SetPart"/>) and accounts for them with
/// <see cref="ItemsDone"/>.
/// </summary>
internal interface IModelWork<TItem, TResult>
{
    /// <summary>True when the work is one item sent by <c>PredictAsync</c>.</summary>
    bool IsSingle { get; }

    /// <summary>The item of single work.</summary>
    TItem Item { get; }

    /// <summary>The items (a one-element list for single work).</summary>
    IReadOnlyList<TItem> Items { get; }

    /// <summary>The number of items.</summary>
    int Count { get; }

    /// <summary>The caller's token.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>
    /// Whether the replica must answer on its own thread, never through the thread pool: a thread is blocked waiting
    /// (the sync gateway, woken directly), or an actor is answered (its replies leave in the order the replica finished
    /// its work).
    /// </summary>
    bool AnswersInline { get; }

    /// <summary>Whether the caller already has its answer (result, failure, timeout or cancellation).</summary>
    bool IsCompleted { get; }

    /// <summary>
    /// When the caller stops waiting (a timestamp of the library's clock; for a merged batch, the latest of its callers'):
    /// the model's dependency calls made for this work get no longer than that.
    /// </summary>
    long Deadline { get; }

    /// <summary>When the work was accepted (<see cref="TimeProvider.GetTimestamp"/>), for queue time.</summary>
    long AcceptedAt { get; set; }

    /// <summary>Takes the work; false when it was already completed by a timeout or a cancellation.</summary>
    bool TryBegin();

    /// <summary>Answers single work.</summary>
    void Complete(TResult result);

    /// <summary>Answers with one result per item.</summary>
    void Complete(IReadOnlyList<TResult> results);

    /// <summary>Answers items <paramref name="offset"/>.. of this work from <paramref name="results"/>[<paramref name="start"/>..]; the work completes when every item has its answer.</summary>
    void SetPart(int offset, IReadOnlyList<TResult> results, int start, int count);

    /// <summary>Fails the work.</summary>
    void Fail(Exception exception);

    /// <summary>The batcher is done with <paramref name="count"/> of this work's items (answered or dropped); after the last, the actor side releases the work.</summary>
    void ItemsDone(int count);

    /// <summary>The actor side is done with the work.</summary>
    void Release();

    /// <summary>Joins a queue that counts slots: <paramref name="slots"/> is told exactly once when the work leaves it.</summary>
    void EnterQueue(IQueueSlots slots);

    /// <summary>Leaves the queue (once): the first caller releases the slot and gets true.</summary>
    bool TryLeaveQueue();
}

/// <summary>A queue that counts the works holding its slots.</summary>
internal interface IQueueSlots
{
    /// <summary>A work left the queue: taken by the batcher, or answered early (timeout, cancellation, shutdown).</summary>
    void ReleaseSlot();
}

