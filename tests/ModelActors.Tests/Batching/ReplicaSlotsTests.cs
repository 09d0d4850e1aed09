using ModelActors.Batching;

namespace ModelActors.Tests.Batching;

public sealed class ReplicaSlotsTests
{
    [Fact]
    public void SlotsAreTakenUpToTheReplicaCount_AndFreedOneByOne()
    {
        var slots = new ReplicaSlots(2);

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
        var slots = new ReplicaSlots(1);
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
        var slots = new ReplicaSlots(1);
        var woken = 0;

        Assert.True(slots.ArmOrRetry(() => woken++));
        Assert.True(slots.TryReserve());
        slots.Free(); // nothing armed any more
        Assert.Equal(0, woken);
        Assert.Equal(0, slots.Busy);
    }
}
