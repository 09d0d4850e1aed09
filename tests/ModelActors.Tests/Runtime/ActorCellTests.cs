using ModelActors.Runtime;
using ModelActors.TestKit;

namespace ModelActors.Tests.Runtime;

public sealed class ActorCellTests
{
    [Fact]
    public async Task Messages_AreHandledOneAtATime_InFifoOrder()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1);
        var gate = new TaskCompletionSource();
        var messages = Enumerable.Range(0, 200).Select(i => new TestMessage(i, i == 0 ? gate.Task : null)).ToList();
        foreach (var message in messages)
        {
            Assert.Equal(PostResult.Accepted, pool.Tell(message));
        }

        await messages[0].Entered.Task.WaitAsync(PoolFixture.Patience);
        Assert.False(messages[1].Entered.Task.IsCompleted); // held behind message 0
        Assert.Single(fixture.Log);

        gate.SetResult();
        await messages[^1].Entered.Task.WaitAsync(PoolFixture.Patience);
        Assert.Equal(Enumerable.Range(0, 200), fixture.Log.Select(e => e.Id));
    }

    [Fact]
    public async Task HandlerFailure_ByDefault_ResumesWithTheSameInstance()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1);
        pool.Tell(new TestMessage(1, Failure: new InvalidOperationException("boom")));
        var next = new TestMessage(2);
        pool.Tell(next);

        await next.Entered.Task.WaitAsync(PoolFixture.Patience);
        Assert.Single(fixture.Starts); // not restarted
    }

    [Fact]
    public async Task HandlerFailure_WithRestartDirective_ReplacesTheInstanceAndKeepsTheMailbox()
    {
        var fixture = new PoolFixture();
        await using var pool = fixture.Start(RouterKind.Balancing, 1, p => p with
        {
            Supervisor = SupervisorStrategy.Default with { Decider = _ => SupervisorDirective.Restart },
        });
        var gate = new TaskCompletionSource();
        pool.Tell(new TestMessage(1, gate.Task, new InvalidOperationException("boom")));
        var queued = new TestMessage(2);
        pool.Tell(queued);

        gate.SetResult();
        await queued.Entered.Task.WaitAsync(PoolFixture.Patience);
        Assert.Equal(2, fixture.Starts.Count); // started, then restarted
        Assert.Equal([1, 2], fixture.Log.Select(e => e.Id));
    }

    [Fact]
    public async Task HandlerFailure_WithStopDirective_SendsTheRestToDeadLetters()
    {
        var fixture = new PoolFixture();
        var pool = fixture.Start(RouterKind.RoundRobin, 1, p => p with
        {
            Supervisor = SupervisorStrategy.Default with { Decider = _ => SupervisorDirective.Stop },
        });
        var gate = new TaskCompletionSource();
        pool.Tell(new TestMessage(1, gate.Task, new InvalidOperationException("boom")));
        pool.Tell(new TestMessage(2));
        pool.Tell(new TestMessage(3));

        gate.SetResult();
        await pool.Cells[0].Completion.WaitAsync(PoolFixture.Patience);
        Assert.Equal([2, 3], fixture.DeadLetters.Select(m => m.Id));
        Assert.Equal(PostResult.Closed, pool.Tell(new TestMessage(4)));
    }

    [Fact]
    public async Task StartFailure_IsRetriedWithExponentialBackoff_ThenReported()
    {
        var clock = new ManualTimeProvider();
        var attempts = 0;
        var failure = new InvalidOperationException("cannot load");
        var props = new Props<TestMessage>(_ =>
        {
            Interlocked.Increment(ref attempts);
            throw failure;
        })
        {
            Supervisor = SupervisorStrategy.Default with { MaxRestarts = 2, MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) },
        };
        await using var pool = ModelActors.Runtime.Routing.RouterPool<TestMessage>.Start(
            RouterKind.Balancing, "failing", 1, props, MailboxOptions.Unbounded, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, clock);

        await clock.WaitForTimersAsync(1);
        Assert.Equal(1, attempts);
        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(1, attempts); // the first backoff is 100 ms
        clock.Advance(TimeSpan.FromMilliseconds(1));

        await clock.WaitForTimersAsync(1);
        Assert.Equal(2, attempts);
        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(2, attempts); // the second backoff doubles to 200 ms
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.Started.WaitAsync(PoolFixture.Patience));
        Assert.Same(failure, error);
        Assert.Equal(3, attempts);
        Assert.Equal(3, pool.Cells[0].StartAttempts);
    }

    [Fact]
    public void Backoff_DoublesFromMinimum_AndIsCappedAtMaximum()
    {
        var strategy = SupervisorStrategy.Default with { MinBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromSeconds(1) };
        Assert.Equal(
            [200, 400, 800, 1000, 1000],
            Enumerable.Range(1, 5).Select(r => strategy.Backoff(r).TotalMilliseconds));
    }

    [Fact]
    public async Task DedicatedThreadDispatcher_RunsEveryMessageOnOneThreadOutsideThePool()
    {
        var threads = new System.Collections.Concurrent.ConcurrentBag<(int Id, bool Pool)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var props = new Props<int>(_ => new ThreadRecorder(threads, done)) { Dispatcher = DispatcherKind.DedicatedThread };
        await using var pool = ModelActors.Runtime.Routing.RouterPool<int>.Start(
            RouterKind.Balancing, "dedicated", 1, props, MailboxOptions.Unbounded, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);
        for (var i = 0; i < 10; i++)
        {
            pool.Tell(i);
        }

        await done.Task.WaitAsync(PoolFixture.Patience);
        Assert.Single(threads.Select(t => t.Id).Distinct());
        Assert.DoesNotContain(threads, t => t.Pool);
    }

    private sealed class ThreadRecorder(System.Collections.Concurrent.ConcurrentBag<(int Id, bool Pool)> threads, TaskCompletionSource done) : IActor<int>
    {
        public ValueTask ReceiveAsync(int message)
        {
            threads.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread));
            if (message == 9)
            {
                done.SetResult();
            }

            return ValueTask.CompletedTask;
        }
    }
}
