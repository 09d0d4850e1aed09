namespace ModelActors.Tests.Cluster;

/// <summary>Shared by the nodes of a test: the first call anywhere blocks until released and says where it runs; later calls answer at once.</summary>
public sealed class Gate
{
    private int _calls;

    public TaskCompletionSource<string> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool First() => Interlocked.Increment(ref _calls) == 1;
}

/// <summary>
/// Answers "{node}:{item}"; the gate's first call waits for the gate's release. Async, so that a node crashed while the
/// call waits can stop (a sync model blocked in its call would hold its node's actor system, and its remoting, up).
/// </summary>
public sealed class GateModel(string node, Gate gate) : AsyncModel<string, string>
{
    protected override async ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken)
    {
        if (gate.First())
        {
            gate.Entered.TrySetResult(node);
            await gate.Release.Task.WaitAsync(cancellationToken);
        }

        return $"{node}:{item}";
    }
}
