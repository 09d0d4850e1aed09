using ModelActors.Runtime;
using ModelActors.TestKit;

namespace ModelActors.Tests.Runtime;

public sealed class AskTests
{
    [Fact]
    public async Task Ask_ReturnsTheTypedReply()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1);

        var reply = await pool.AskAsync<TestMessage, int>(r => new TestMessage(42, Reply: r));

        Assert.Equal(42, reply);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Ask_WithZeroOrNegativeTimeout_IsRejected(int milliseconds)
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            pool.AskAsync<TestMessage, int>(r => new TestMessage(1, Reply: r), TimeSpan.FromMilliseconds(milliseconds)));
        Assert.Contains("positive and finite", error.Message);
    }

    [Fact]
    public async Task Ask_WithInfiniteTimeout_IsRejected()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1);

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            pool.AskAsync<TestMessage, int>(r => new TestMessage(1, Reply: r), Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public async Task Ask_WhenNoReplyInTime_FailsWithTimeout_AndTheLateReplyIsDropped()
    {
        var clock = new ManualTimeProvider();
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1);
        var gate = new TaskCompletionSource();
        ReplyTo<int>? slot = null;

        var asking = pool.AskAsync<TestMessage, int>(r => new TestMessage(7, gate.Task, Reply: slot = r), TimeSpan.FromSeconds(5), clock).AsTask();
        clock.Advance(TimeSpan.FromSeconds(4.999));
        Assert.False(asking.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => asking);
        Assert.Contains("test", error.Message);
        Assert.Contains("5000 ms", error.Message);

        gate.SetResult(); // the actor now replies late: harmless
        await pool.StopAsync();
        Assert.False(slot!.TrySetResult(1));
    }

    [Fact]
    public async Task Ask_WhenCallerCancels_FailsWithOperationCanceled()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1);
        var gate = new TaskCompletionSource();
        using var cts = new CancellationTokenSource();

        var asking = pool.AskAsync<TestMessage, int>(r => new TestMessage(1, gate.Task, Reply: r), cancellationToken: cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => asking);
        gate.SetResult();
    }

    [Fact]
    public async Task Ask_ToAStoppedActor_FailsAtOnce()
    {
        var fixture = new PoolFixture();
        var pool = fixture.Start(RouterKind.Balancing, 1);
        await pool.StopAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            pool.AskAsync<TestMessage, int>(r => new TestMessage(1, Reply: r)).AsTask());
        Assert.Contains("closed", error.Message);
    }
}
