namespace ModelActors.Batching;

/// <summary>
/// The replicas a demand-driven batcher may send to: at most <paramref name="count"/> batches at the
/// replicas at once, whether the graph formed them or a lone request went straight through. The graph's
/// source reserves a slot before it reads the queue and arms a wake-up when none is free.
/// </summary>
internal sealed class ReplicaSlots(int count)
{
    private int _busy;
    private Action? _waiter;

    /// <summary>Batches at the replicas (or reserved for one being formed).</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Takes a slot if one is free.</summary>
    public bool TryReserve()
    {
        var busy = Volatile.Read(ref _busy);
        while (busy < count)
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

    /// <summary>Gives a slot back and wakes the one waiting for it, if any.</summary>
    public void Free()
    {
        Interlocked.Decrement(ref _busy);
        Interlocked.Exchange(ref _waiter, null)?.Invoke();
    }

    /// <summary>
    /// Arms <paramref name="wake"/> for the next <see cref="Free"/>. True when a slot freed meanwhile and
    /// the wake-up was taken back: the caller tries again at once instead of waiting.
    /// </summary>
    public bool ArmOrRetry(Action wake)
    {
        Interlocked.Exchange(ref _waiter, wake); // a full fence: the read of _busy below cannot move before it
        return Volatile.Read(ref _busy) < count && Interlocked.Exchange(ref _waiter, null) is not null;
    }
}
