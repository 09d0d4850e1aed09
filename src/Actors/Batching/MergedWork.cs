using ModelActors.Models;

namespace ModelActors.Batching;

/// <summary>One part of a merged batch: <see cref="Count"/> items of <see cref="Work"/> from <see cref="Offset"/>; <see cref="Last"/> when it holds the work's last items.</summary>
internal readonly record struct WorkPart<TItem, TResult>(IModelWork<TItem, TResult> Work, int Offset, int Count, bool Last);

/// <summary>
/// A batch the batcher formed from queued work of any callers: the message a replica receives when
/// batching is on. Its results are split back to each part; when the model fails it, the replica
/// retries its items one by one so that only the failing items fail.
/// </summary>
internal sealed class MergedWork<TItem, TResult> : IModelWork<TItem, TResult>, ICallCancellation
{
    private readonly Action _onReleased;

    public MergedWork(IReadOnlyList<WorkPart<TItem, TResult>> parts, long acceptedAt, Action onReleased)
    {
        Parts = [.. parts];
        _onReleased = onReleased;
        AcceptedAt = acceptedAt;
        var count = 0;
        foreach (var part in Parts)
        {
            count += part.Count;
        }

        var items = new TItem[count];
        var next = 0;
        foreach (var part in parts)
        {
            var source = part.Work;
            if (source.IsSingle)
            {
                items[next++] = source.Item;
                continue;
            }

            for (var i = 0; i < part.Count; i++)
            {
                items[next++] = source.Items[part.Offset + i];
            }
        }

        Items = items;
        var deadline = long.MinValue;
        foreach (var part in Parts)
        {
            deadline = Math.Max(deadline, part.Work.Deadline);
        }

        Deadline = deadline;
        CancellationToken = Parts.Length == 1 ? Parts[0].Work.CancellationToken : CancellationToken.None;
    }

    public WorkPart<TItem, TResult>[] Parts { get; }

    /// <summary>The latest of its callers' deadlines: a dependency call serves every caller of the batch.</summary>
    public long Deadline { get; }

    public bool IsSingle => false;

    public TItem Item => Items[0];

    public IReadOnlyList<TItem> Items { get; }

    public int Count => Items.Count;

    /// <summary>A merged batch is cancelled only when it holds one caller's work and that caller cancels.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>A batch of one caller's work is cancelled as that work is; one of several callers' runs for those still waiting.</summary>
    public bool CanCancelCall => Parts.Length == 1 && Parts[0].Work is ICallCancellation { CanCancelCall: true };

    /// <inheritdoc />
    public bool AttachCall(CancellationTokenSource source) => ((ICallCancellation)Parts[0].Work).AttachCall(source);

    /// <inheritdoc />
    public bool DetachCall(CancellationTokenSource source) => ((ICallCancellation)Parts[0].Work).DetachCall(source);

    public bool IsCompleted => Array.TrueForAll(Parts, p => p.Work.IsCompleted);

    public bool AnswersInline => Array.Exists(Parts, p => p.Work.AnswersInline);

    public long AcceptedAt { get; set; }

    /// <summary>A replica starts the batch: works whose last items are in it leave the queue now (releasing their slots).</summary>
    public bool TryBegin()
    {
        foreach (var part in Parts)
        {
            if (part.Last)
            {
                part.Work.TryLeaveQueue();
            }
        }

        return true;
    }

    /// <summary>Ends a batch whose every part was dropped by <see cref="WithoutCompletedParts"/> (they are already accounted for).</summary>
    public void FinishWithoutWork() => _onReleased();

    /// <summary>Whether a caller timed out or cancelled while the batch waited for a replica.</summary>
    public bool HasCompletedParts => Array.Exists(Parts, p => p.Work.IsCompleted);

    /// <summary>
    /// This batch without the parts whose callers already have an answer (they never reach the model), or
    /// null when none is left. The dropped parts are accounted for here; the returned batch keeps the
    /// release callback.
    /// </summary>
    public MergedWork<TItem, TResult>? WithoutCompletedParts()
    {
        var live = new List<WorkPart<TItem, TResult>>(Parts.Length);
        foreach (var part in Parts)
        {
            if (part.Work.IsCompleted)
            {
                part.Work.ItemsDone(part.Count);
            }
            else
            {
                live.Add(part);
            }
        }

        return live.Count == 0 ? null : new MergedWork<TItem, TResult>(live, AcceptedAt, _onReleased);
    }

    public void Complete(TResult result) => Complete([result]);

    public void Complete(IReadOnlyList<TResult> results)
    {
        var start = 0;
        foreach (var part in Parts)
        {
            part.Work.SetPart(part.Offset, results, start, part.Count);
            start += part.Count;
        }
    }

    /// <summary>
    /// Answers each part from <paramref name="results"/>; a part whose results cannot be read (a lazily
    /// computed result list threw) fails alone, with what reading threw and <paramref name="model"/>'s name.
    /// </summary>
    public void CompleteEachPart(IReadOnlyList<TResult> results, string model)
    {
        var start = 0;
        foreach (var part in Parts)
        {
            try
            {
                part.Work.SetPart(part.Offset, results, start, part.Count);
            }
            catch (Exception exception)
            {
                part.Work.Fail(ModelErrors.Attach(exception, model));
            }

            start += part.Count;
        }
    }

    /// <summary>Answers item <paramref name="offset"/> of the merged batch (and the next <paramref name="count"/> − 1, within the same part) in the part that holds it.</summary>
    public void SetPart(int offset, IReadOnlyList<TResult> results, int start, int count)
    {
        var (part, index) = Locate(offset);
        part.Work.SetPart(part.Offset + index, results, start, count);
    }

    /// <summary>Fails the part that holds item <paramref name="index"/> of the merged batch.</summary>
    public void FailItem(int index, Exception exception) => Locate(index).Part.Work.Fail(exception);

    /// <summary>The part holding item <paramref name="index"/> of the merged batch, and the item's index within that part.</summary>
    private (WorkPart<TItem, TResult> Part, int Index) Locate(int index)
    {
        foreach (var part in Parts)
        {
            if (index < part.Count)
            {
                return (part, index);
            }

            index -= part.Count;
        }

        throw new ArgumentOutOfRangeException(nameof(index), index, "The merged batch has no such item.");
    }

    public void Fail(Exception exception)
    {
        foreach (var part in Parts)
        {
            part.Work.Fail(exception);
        }
    }

    public void ItemsDone(int count)
    {
    }

    public void Release()
    {
        foreach (var part in Parts)
        {
            part.Work.ItemsDone(part.Count);
        }

        _onReleased();
    }

    public void EnterQueue(IQueueSlots slots) => throw new InvalidOperationException("A merged batch is never queued.");

    public bool TryLeaveQueue() => false;
}
