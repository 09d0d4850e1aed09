namespace ModelActors.Batching;

/// <summary>
/// The replicas a demand-driven batcher may send to: at most <paramref name="count"/> batches at the
/// replicas at once, whether the graph formed them or a lone request went straight through, plus one
/// <b>full</b> batch formed ahead while every replica is busy, so the replica that frees up next finds it
/// ready instead of waiting for the graph. Also counts the items queued for the graph, which decides
/// whether a full batch is there. The graph's source reserves a slot before it reads the queue and arms a
/// wake-up when it may not.
/// </summary>
internal sealed class ReplicaSlots(int count, int batchSize)
{
    private int _busy;
    private int _queued;
    private Action? _waiter;

    /// <summary>Batches at the replicas (or reserved for one being formed), the one ahead included.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Items queued for the graph.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Takes a slot if a replica is free.</summary>
    public bool TryReserve() => TryTake(count);

    /// <summary>Takes the slot ahead if every replica is busy, none is taken ahead yet and a full batch is queued.</summary>
    public bool TryReserveAhead() => Volatile.Read(ref _queued) >= batchSize && TryTake(count + 1);

    /// <summary>Gives a slot back and wakes the one waiting, if any.</summary>
    public void Free()
    {
        Interlocked.Decrement(ref _busy);
        Wake();
    }

    /// <summary>Counts <paramref name="items"/> more queued; true when a full batch is now queued and was not before (call <see cref="Wake"/> then).</summary>
    public bool Enqueued(int items)
    {
        var now = Interlocked.Add(ref _queued, items);
        return now >= batchSize && now - items < batchSize;
    }

    /// <summary>Counts <paramref name="items"/> taken from the queue into a batch.</summary>
    public void Dequeued(int items) => Interlocked.Add(ref _queued, -items);

    /// <summary>Forgets the queued items (their queue was replaced).</summary>
    public void ClearQueued() => Volatile.Write(ref _queued, 0);

    /// <summary>Wakes the one waiting, if any.</summary>
    public void Wake() => Interlocked.Exchange(ref _waiter, null)?.Invoke();

    /// <summary>
    /// Arms <paramref name="wake"/> for the next <see cref="Free"/> or full queue. True when a slot could be
    /// taken meanwhile and the wake-up was taken back: the caller tries again at once instead of waiting.
    /// </summary>
    public bool ArmOrRetry(Action wake)
    {
        Interlocked.Exchange(ref _waiter, wake); // a full fence: the reads below cannot move before it
        var busy = Volatile.Read(ref _busy);
        var could = busy < count || (busy < count + 1 && Volatile.Read(ref _queued) >= batchSize);
        return could && Interlocked.Exchange(ref _waiter, null) is not null;
    }

    private bool TryTake(int limit)
    {
        var busy = Volatile.Read(ref _busy);
        while (busy < limit)
        {
            var seen = Interlocked.CompareExchange(ref _busy, busy + 1, busy);
            if (seen == busy)
            {
                return true;
            }

            busy = seen;
        }

        return false;
    }
}
