using ModelActors.TestKit;

namespace ModelActors.Tests.TestKit;

public sealed class ManualTimeProviderTests
{
    [Fact]
    public void Advance_FiresDueTimersInOrder_AndMovesTheClock()
    {
        var clock = new ManualTimeProvider();
        var fired = new List<string>();
        var start = clock.GetUtcNow();
        using var late = clock.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add("early"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(fired);
        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(["early", "late"], fired);
        Assert.Equal(start + TimeSpan.FromSeconds(5.999), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(5.999), clock.GetElapsedTime(0));
    }

    [Fact]
    public void PeriodicTimers_FireOncePerPeriod_AndDisposedTimersNever()
    {
        var clock = new ManualTimeProvider();
        var ticks = 0;
        var timer = clock.CreateTimer(_ => ticks++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(3.5));
        Assert.Equal(3, ticks);
        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, ticks);
        Assert.Equal(0, clock.ActiveTimers);
    }

    [Fact]
    public async Task TaskDelay_OnTheManualClock_CompletesOnlyWhenAdvanced()
    {
        var clock = new ManualTimeProvider();
        var delay = Task.Delay(TimeSpan.FromMinutes(1), clock);

        await clock.WaitForTimersAsync(1);
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(1));

        await delay.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
