namespace ModelActors.Models;

/// <summary>
/// The bookkeeping a work item needs when a batcher takes it in parts: its queue slot (released exactly
/// once) and how many of its items are still with the batcher (the actor side releases the work after the last).
/// </summary>
internal struct WorkParts
{
    private IQueueSlots? _slots;
    private int _inQueue;
    private int _itemsLeft;

    public void Enter(IQueueSlots slots, int count)
    {
        _slots = slots;
        _itemsLeft = count;
        Volatile.Write(ref _inQueue, 1);
    }

    /// <summary>Releases the queue slot if this is the first call since <see cref="Enter"/>.</summary>
    public bool TryLeave()
    {
        if (Interlocked.Exchange(ref _inQueue, 0) != 1)
        {
            return false;
        }

        var slots = _slots;
        _slots = null;
        slots?.ReleaseSlot();
        return true;
    }

    /// <summary>Counts <paramref name="count"/> items done; true when they were the last.</summary>
    public bool ItemsDone(int count) => Interlocked.Add(ref _itemsLeft, -count) == 0;

    public void Reset()
    {
        _slots = null;
        _inQueue = 0;
        _itemsLeft = 0;
    }
}
