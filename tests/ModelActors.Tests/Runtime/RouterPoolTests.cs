using ModelActors.Runtime;

namespace ModelActors.Tests.Runtime;

public sealed class RouterPoolTests
{
    [Fact]
    public async Task Balancing_WhenOneReplicaIsBusy_TheFreeReplicaTakesEveryQueuedMessage()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 2);
        await pool.Started;
        var gate = new TaskCompletionSource();
        var slow = new TestMessage(0, gate.Task);
        pool.Tell(slow);
        var busyReplica = await slow.Entered.Task.WaitAsync(PoolFixture.Patience);

        var rest = Enumerable.Range(1, 5).Select(i => new TestMessage(i)).ToList();
        rest.ForEach(m => pool.Tell(m));
        var replicas = await Task.WhenAll(rest.Select(m => m.Entered.Task)).WaitAsync(PoolFixture.Patience);

        Assert.All(replicas, r => Assert.NotEqual(busyReplica, r));
        gate.SetResult();
    }

    [Fact]
    public async Task RoundRobin_SendsMessagesToTheReplicasInTurn()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.RoundRobin, 3);
        var messages = Enumerable.Range(0, 6).Select(i => new TestMessage(i)).ToList();
        messages.ForEach(m => pool.Tell(m));

        var replicas = await Task.WhenAll(messages.Select(m => m.Entered.Task)).WaitAsync(PoolFixture.Patience);

        Assert.Equal([0, 1, 2, 0, 1, 2], replicas);
    }

    [Fact]
    public async Task SmallestMailbox_CountsTheMessageInProgress_NotOnlyTheQueue()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.SmallestMailbox, 2);
        var pools = (ModelActors.Runtime.Routing.SmallestMailboxPool<TestMessage>)pool;
        var gate = new TaskCompletionSource();

        // Replica 0 is busy with an empty queue; replica 1 finishes its message and becomes idle.
        var busy = new TestMessage(0, gate.Task);
        pool.Tell(busy);
        Assert.Equal(0, await busy.Entered.Task.WaitAsync(PoolFixture.Patience));
        var quick = new TestMessage(1);
        pool.Tell(quick);
        Assert.Equal(1, await quick.Entered.Task.WaitAsync(PoolFixture.Patience));
        Assert.True(SpinWait.SpinUntil(() => pools.Pending(1) == 0, PoolFixture.Patience));

        // The next scan starts at replica 0, whose queue is empty but which is still busy:
        // a queue-length-only router would pick it; counting work in progress picks the idle one.
        var next = new TestMessage(2);
        pool.Tell(next);
        Assert.Equal(1, await next.Entered.Task.WaitAsync(PoolFixture.Patience));
        Assert.Equal(1, pools.Pending(0));
        gate.SetResult();
    }

    [Theory]
    [InlineData(RouterKind.Balancing)]
    [InlineData(RouterKind.RoundRobin)]
    [InlineData(RouterKind.SmallestMailbox)]
    public async Task StopAsync_RefusesNewMessages_AndFinishesAcceptedOnesFirst(RouterKind kind)
    {
        var fixture = new PoolFixture();
        var pool = fixture.Start(kind, 2);
        var gate = new TaskCompletionSource();
        var messages = Enumerable.Range(0, 10).Select(i => new TestMessage(i, gate.Task)).ToList();
        messages.ForEach(m => pool.Tell(m));

        var stopping = pool.StopAsync();
        Assert.Equal(PostResult.Closed, pool.Tell(new TestMessage(99)));
        Assert.False(stopping.IsCompleted);

        gate.SetResult();
        await stopping.WaitAsync(PoolFixture.Patience);
        Assert.Equal(Enumerable.Range(0, 10), fixture.Log.Select(e => e.Id).Order());
        Assert.Empty(fixture.DeadLetters);
    }

    [Fact]
    public async Task StopAsync_WhenTheDrainDeadlinePasses_SendsQueuedMessagesToDeadLetters()
    {
        var fixture = new PoolFixture();
        var pool = fixture.Start(RouterKind.Balancing, 1);
        var gate = new TaskCompletionSource();
        var first = new TestMessage(0, gate.Task);
        pool.Tell(first);
        await first.Entered.Task.WaitAsync(PoolFixture.Patience);
        for (var i = 1; i <= 4; i++)
        {
            pool.Tell(new TestMessage(i));
        }

        using var deadline = new CancellationTokenSource();
        var stopping = pool.StopAsync(deadline.Token);
        await deadline.CancelAsync();
        await stopping;
        gate.SetResult();
        await pool.Cells[0].Completion.WaitAsync(PoolFixture.Patience);

        Assert.Equal([1, 2, 3, 4], fixture.DeadLetters.Select(m => m.Id));
        Assert.Equal([0], fixture.Log.Select(e => e.Id));
    }

    [Fact]
    public async Task BoundedMailbox_WhenFull_RejectsAtOnce()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1, mailbox: MailboxOptions.Bounded(2));
        var gate = new TaskCompletionSource();
        var first = new TestMessage(0, gate.Task);
        pool.Tell(first);
        await first.Entered.Task.WaitAsync(PoolFixture.Patience);

        Assert.Equal(PostResult.Accepted, pool.Tell(new TestMessage(1)));
        Assert.Equal(PostResult.Accepted, pool.Tell(new TestMessage(2)));
        Assert.Equal(PostResult.Full, pool.Tell(new TestMessage(3)));
        gate.SetResult();
    }
}
