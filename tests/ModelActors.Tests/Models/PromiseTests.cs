using ModelActors.Models;
using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

public sealed class PromiseTests
{
    [Fact]
    public async Task AReusedPromise_WhoseOldTimerFiresFirst_TimesOutAtItsOwnDeadline()
    {
        var clock = new ManualTimeProvider();
        var promise = new ReusablePromise();

        promise.Use(TimeSpan.FromSeconds(2), clock); // timer armed for t=2
        promise.TrySetResult(1);
        Assert.Equal(1, await promise.Task);
        promise.Release(); // both owners done: back to "pooled"

        clock.Advance(TimeSpan.FromSeconds(1));
        promise.Use(TimeSpan.FromSeconds(2), clock); // due at t=3; the old timer still fires at t=2
        var second = promise.Task.AsTask();

        clock.Advance(TimeSpan.FromSeconds(1)); // t=2: the old timer fires, finds the new use not due, re-arms
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1)); // t=3

        await Assert.ThrowsAsync<TimeoutException>(() => second);
    }

    [Fact]
    public async Task ACompletedPromise_IgnoresItsDeadline_AndLaterCompletions()
    {
        var clock = new ManualTimeProvider();
        var promise = new ReusablePromise();
        promise.Use(TimeSpan.FromSeconds(1), clock);

        Assert.True(promise.TrySetResult(5));
        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.False(promise.TrySetException(new InvalidOperationException()));
        Assert.False(promise.TryBegin());
        Assert.Equal(5, await promise.Task);
    }

    [Fact]
    public async Task TryBegin_AfterATimeout_ReturnsFalse_SoTheWorkIsDropped()
    {
        var clock = new ManualTimeProvider();
        var promise = new ReusablePromise();
        promise.Use(TimeSpan.FromSeconds(1), clock);

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(promise.TryBegin());
        await Assert.ThrowsAsync<TimeoutException>(() => promise.Task.AsTask());
    }

    [Fact]
    public async Task TheLastOfBothOwners_ReleasesThePromiseExactlyOnce()
    {
        var promise = new ReusablePromise();
        promise.Use(TimeSpan.FromSeconds(1), TimeProvider.System);
        promise.TrySetResult(1);

        promise.Release(); // the actor side
        Assert.Equal(0, promise.Releases);
        await promise.Task; // the caller reads: the second release
        Assert.Equal(1, promise.Releases);
    }

    private sealed class ReusablePromise : Promise<int>
    {
        public int Releases { get; private set; }

        public void Use(TimeSpan timeout, TimeProvider timeProvider) =>
            Arm("probe", timeout, timeProvider, CancellationToken.None, runContinuationsAsynchronously: false);

        protected override void OnReleased()
        {
            Releases++;
            ResetForReuse();
        }
    }
}
