namespace ModelActors.Host.Tests;

/// <summary>The host on Kestrel with two test models: <c>gate</c> (<see cref="GateModel"/>) and <c>picky</c> (<see cref="PickyModel"/>).</summary>
public sealed class StreamServer : KestrelServer
{
    /// <inheritdoc />
    protected override IEnumerable<(string Key, string? Value)> Settings =>
    [
        ("ModelActors:Models:gate:Type", typeof(GateModel).FullName),
        ("ModelActors:Models:picky:Type", typeof(PickyModel).FullName),
    ];
}

/// <summary>Holds every call open until it is cancelled, and reports when a call started and when one was cancelled.</summary>
public sealed class GateModel : AsyncModel<string, string>
{
    /// <summary>Completed when a call has reached the model.</summary>
    public static TaskCompletionSource Started { get; private set; } = NewSignal();

    /// <summary>Completed when a held call saw its cancellation.</summary>
    public static TaskCompletionSource Cancelled { get; private set; } = NewSignal();

    /// <summary>Fresh signals for the next test.</summary>
    public static void Reset()
    {
        Started = NewSignal();
        Cancelled = NewSignal();
    }

    /// <inheritdoc />
    protected override async ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken)
    {
        Started.TrySetResult();
        try
        {
            await new TaskCompletionSource().Task.WaitAsync(cancellationToken); // held until the call is cancelled
        }
        catch (OperationCanceledException)
        {
            Cancelled.TrySetResult();
            throw;
        }

        return item;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Upper-cases its items, and fails on "boom" with a message naming it.</summary>
public sealed class PickyModel : AsyncModel<string, string>
{
    /// <inheritdoc />
    protected override ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken) =>
        item == "boom" ? throw new InvalidOperationException("cannot take 'boom'") : ValueTask.FromResult(item.ToUpperInvariant());
}
