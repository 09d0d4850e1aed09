using ModelActors.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>The gate behind <see cref="OnnxModelSettings.ConcurrentRuns"/>: at most N runs inside at once, every slot freed exactly once.</summary>
public sealed class RunGateTests
{
    [Fact]
    public async Task ACallerFindingEverySlotTaken_WaitsUntilARunLeaves()
    {
        using var gate = new RunGate(1);
        using var holder = new Holder(gate);
        await holder.Entered.Task;
        var waiting = Waiting(gate);
        var secondRan = 0;

        var second = Task.Run(() => gate.Run(0, _ => Interlocked.Exchange(ref secondRan, 1) + 2, CancellationToken.None));
        await waiting;
        Assert.Equal(0, Volatile.Read(ref secondRan));
        Assert.Equal(0, gate.Available);
        holder.Leave();

        Assert.Equal(1, await holder.Run);
        Assert.Equal(2, await second);
        Assert.Equal(1, gate.Available);
    }

    [Fact]
    public async Task TwoSlots_AdmitTwoRunsAtOnce_AndTheThirdWaits()
    {
        using var gate = new RunGate(2);
        using var first = new Holder(gate);
        using var second = new Holder(gate);
        await Task.WhenAll(first.Entered.Task, second.Entered.Task);
        var waiting = Waiting(gate);

        var third = Task.Run(() => gate.Run(0, _ => 3, CancellationToken.None));
        await waiting;
        Assert.False(third.IsCompleted);
        second.Leave();

        Assert.Equal(3, await third);
        first.Leave();
        await Task.WhenAll(first.Run, second.Run);
        Assert.Equal(2, gate.Available);
    }

    [Fact]
    public async Task CancellingAWaitingCaller_RunsNothing_AndTakesNoSlot()
    {
        using var gate = new RunGate(1);
        using var holder = new Holder(gate);
        await holder.Entered.Task;
        using var cancellation = new CancellationTokenSource();
        var waiting = Waiting(gate);
        var ran = 0;

        var cancelled = Task.Run(() => gate.Run(0, _ => Interlocked.Exchange(ref ran, 1), cancellation.Token));
        await waiting;
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        holder.Leave();
        await holder.Run;
        Assert.Equal(0, Volatile.Read(ref ran));
        Assert.Equal(1, gate.Available);
    }

    [Fact]
    public void AnAlreadyCancelledCaller_IsRefusedWithoutTakingASlot()
    {
        using var gate = new RunGate(1);

        Assert.Throws<OperationCanceledException>(() => gate.Run(0, _ => 1, new CancellationToken(canceled: true)));
        Assert.Equal(1, gate.Available);
    }

    [Fact]
    public void AFailingRun_FreesItsSlot()
    {
        using var gate = new RunGate(1);

        Assert.Throws<InvalidOperationException>(() => gate.Run<int, int>(0, _ => throw new InvalidOperationException("run failed"), CancellationToken.None));

        Assert.Equal(1, gate.Available);
        Assert.Equal(7, gate.Run(7, s => s, CancellationToken.None));
    }

    [Fact]
    public void ZeroSlots_AreRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => new RunGate(0));

    /// <summary>Completes when the next caller finds every slot taken.</summary>
    private static Task Waiting(RunGate gate)
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.Waiting = () => waiting.TrySetResult();
        return waiting.Task;
    }

    /// <summary>A run that stays inside the gate until <see cref="Leave"/>.</summary>
    private sealed class Holder : IDisposable
    {
        private readonly ManualResetEventSlim _leave = new();

        public Holder(RunGate gate) =>
            Run = Task.Run(() => gate.Run(this, h =>
            {
                h.Entered.TrySetResult();
                h._leave.Wait();
                return 1;
            }, CancellationToken.None));

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<int> Run { get; }

        public void Leave() => _leave.Set();

        public void Dispose()
        {
            _leave.Set();
            _leave.Dispose();
        }
    }
}
