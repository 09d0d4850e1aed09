using ModelActors.Batching;

namespace ModelActors.Tests.Batching;

public sealed class ReplicaSlotsTests
{
    [Fact]
    public void SlotsAreTakenUpToTheReplicaCount_AndFreedOneByOne()
    {
        var slots = new ReplicaSlots(2, batchSize: 4);

        Assert.True(slots.TryReserve());
        Assert.True(slots.TryReserve());
        Assert.False(slots.TryReserve());
        slots.Free();
        Assert.Equal(1, slots.Busy);
        Assert.True(slots.TryReserve());
    }

    [Fact]
    public void AnArmedWakeUp_RunsOnceOnTheNextFree()
    {
        var slots = new ReplicaSlots(1, batchSize: 4);
        Assert.True(slots.TryReserve());
        var woken = 0;

        Assert.False(slots.ArmOrRetry(() => woken++)); // none free: wait
        slots.Free();
        Assert.True(slots.TryReserve());
        slots.Free();

        Assert.Equal(1, woken);
    }

    [Fact]
    public void ArmingWhenASlotIsAlreadyFree_TakesTheWakeUpBack_AndSaysRetry()
    {
        var slots = new ReplicaSlots(1, batchSize: 4);
        var woken = 0;

        Assert.True(slots.ArmOrRetry(() => woken++));
        Assert.True(slots.TryReserve());
        slots.Free(); // nothing armed any more
        Assert.Equal(0, woken);
        Assert.Equal(0, slots.Busy);
    }

    [Fact]
    public void OneFullBatchMayBeFormedAhead_OnlyWhileEveryReplicaIsBusy()
    {
        var slots = new ReplicaSlots(1, batchSize: 4);
        Assert.True(slots.TryReserve());

        Assert.False(slots.Enqueued(3));
        Assert.False(slots.TryReserveAhead()); // three queued: not a full batch
        Assert.True(slots.Enqueued(1));        // the fourth makes one
        Assert.True(slots.TryReserveAhead());
        slots.Dequeued(4);
        Assert.Equal(2, slots.Busy);

        Assert.True(slots.Enqueued(4));
        Assert.False(slots.TryReserveAhead()); // one ahead at most
        Assert.False(slots.TryReserve());
    }

    [Fact]
    public void AFullQueue_WakesTheWaiter()
    {
        var slots = new ReplicaSlots(1, batchSize: 2);
        Assert.True(slots.TryReserve());
        var woken = 0;
        Assert.False(slots.ArmOrRetry(() => woken++));

        if (slots.Enqueued(2))
        {
            slots.Wake();
        }

        Assert.Equal(1, woken);
        Assert.True(slots.TryReserveAhead());
    }
}
