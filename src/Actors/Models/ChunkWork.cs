
namespace ModelActors.Models;

/// <summary>A chunk of items from <c>PredictBatchAsync</c> or a stream; answered with the model's result list, or part by part by the batcher.</summary>
internal sealed class ChunkWork<TItem, TResult> : Promise<IReadOnlyList<TResult>>, IModelWork<TItem, TResult>
{
    private readonly Diagnostics.ModelEvents? _events;
    private WorkParts _parts;
    private TResult[]? _partResults;
    private readonly Remote.ReplyTo? _replyTo;
    private int _unanswered;

    // replyTo: an actor to answer instead of an awaiting caller (a ModelRequest's sender), told ModelReply or
    // Status.Failure on the thread that settles the work, so one replica's replies leave in the order it finished them;
    // nobody awaits the work's Task then.
    public ChunkWork(IReadOnlyList<TItem> items, string model, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken, bool blockingCaller, Diagnostics.ModelEvents? events = null, Remote.ReplyTo? replyTo = null)
    {
        _events = events;
        _replyTo = replyTo;
        Items = items;
        _unanswered = items.Count;
        Arm(model, timeout, timeProvider, cancellationToken, runContinuationsAsynchronously: !blockingCaller);
    }

    public bool IsSingle => false;

    public TItem Item => Items[0];

    public IReadOnlyList<TItem> Items { get; }

    public int Count => Items.Count;

    public long AcceptedAt { get; set; }

    public bool AnswersInline => HasBlockingCaller || _replyTo is not null;

    /// <summary>Whether an actor's <see cref="ModelRequest{TItem}"/> made this work (it answers that actor, not an awaiting caller).</summary>
    public bool AnswersActor => _replyTo is not null;

    public void Complete(TResult result) => TrySetResult([result]);

    public void Complete(IReadOnlyList<TResult> results) => TrySetResult(results);

    public void SetPart(int offset, IReadOnlyList<TResult> results, int start, int count)
    {
        var buffer = LazyInitializer.EnsureInitialized(ref _partResults, () => new TResult[Items.Count]);
        for (var i = 0; i < count; i++)
        {
            buffer[offset + i] = results[start + i];
        }

        if (Interlocked.Add(ref _unanswered, -count) == 0)
        {
            TrySetResult(buffer);
        }
    }

    public void Fail(Exception exception) => TrySetException(exception);

    public void ItemsDone(int count)
    {
        if (_parts.ItemsDone(count))
        {
            Release();
        }
    }

    public void EnterQueue(IQueueSlots slots) => _parts.Enter(slots, Items.Count);

    public bool TryLeaveQueue() => _parts.TryLeave();

    protected override void OnCompletedEarly(bool timedOut)
    {
        _parts.TryLeave();
        if (timedOut)
        {
            _events?.TimedOut();
        }
    }

    protected override void OnReleased() => DisposeTimer();

    protected override void OnSettling(IReadOnlyList<TResult>? result, Exception? exception)
    {
        if (_replyTo is null)
        {
            return;
        }

        if (exception is null)
        {
            _replyTo.Answer(result!);
        }
        else
        {
            _replyTo.Fail(exception);
        }

        Release(); // the caller's share: no one awaits this work
    }
}
