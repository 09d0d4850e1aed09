using System.Diagnostics;

namespace ModelActors.Onnx;

/// <summary>
/// Bounds how many replicas are inside a shared session's Run at once (<see cref="OnnxModelSettings.ConcurrentRuns"/>).
/// A replica that finds every slot taken spins (yielding its core to other threads) for about as long as
/// the latest run took, since the holder is about to leave, and then blocks: the hand-over from one run
/// to the next costs a few microseconds instead of a thread wake-up.
/// </summary>
internal sealed class RunGate : IDisposable
{
    /// <summary>The longest a waiter spins before it blocks.</summary>
    private static readonly long MaxSpinTicks = Stopwatch.Frequency / 1000;

    private readonly SemaphoreSlim _slots;
    private long _lastRunTicks;

    /// <summary>A gate with <paramref name="slots"/> concurrent runs.</summary>
    public RunGate(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = slots;
        _slots = new SemaphoreSlim(slots, slots);
    }

    /// <summary>The number of concurrent runs allowed.</summary>
    public int Slots { get; }

    /// <summary>Slots free now.</summary>
    public int Available => _slots.CurrentCount;

    /// <summary>Called when a caller finds every slot taken and starts waiting (a test hook).</summary>
    internal Action? Waiting { get; set; }

    /// <summary>Runs <paramref name="run"/> inside a slot; the slot is freed when it returns or throws.</summary>
    /// <param name="state">Passed to <paramref name="run"/>.</param>
    /// <param name="run">The work done inside the gate.</param>
    /// <param name="cancellationToken">Stops waiting for a slot (then nothing runs and no slot is taken).</param>
    /// <returns>What <paramref name="run"/> returned.</returns>
    public TResult Run<TState, TResult>(TState state, Func<TState, TResult> run, CancellationToken cancellationToken)
    {
        Enter(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return run(state);
        }
        finally
        {
            Volatile.Write(ref _lastRunTicks, Stopwatch.GetTimestamp() - started);
            _slots.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    private void Enter(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_slots.Wait(0, CancellationToken.None))
        {
            return;
        }

        Waiting?.Invoke();
        var spinUntil = Stopwatch.GetTimestamp() + Math.Min(Volatile.Read(ref _lastRunTicks), MaxSpinTicks);
        var spinner = default(SpinWait);
        while (Stopwatch.GetTimestamp() < spinUntil)
        {
            cancellationToken.ThrowIfCancellationRequested();
            spinner.SpinOnce(sleep1Threshold: -1);
            if (_slots.Wait(0, CancellationToken.None))
            {
                return;
            }
        }

        _slots.Wait(cancellationToken);
    }
}
