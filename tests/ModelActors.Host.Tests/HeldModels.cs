using ModelActors.Onnx;

namespace ModelActors.Host.Tests;

/// <summary>
/// A model that holds every call open until it is cancelled, and reports when a call started and when one was
/// cancelled. Each subclass has its own signals (statics of its closed generic type), so test classes that run in
/// parallel never share them.
/// </summary>
/// <typeparam name="TSelf">The subclass.</typeparam>
/// <typeparam name="T">The item and result type.</typeparam>
#pragma warning disable CA1000 // the signals are per subclass on purpose
public abstract class HeldModel<TSelf, T> : AsyncModel<T, T>
    where TSelf : HeldModel<TSelf, T>
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
#pragma warning restore CA1000

    /// <inheritdoc />
    protected override async ValueTask<T> PredictAsync(T item, CancellationToken cancellationToken)
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

/// <summary>Held string calls, for the stream tests.</summary>
public sealed class GateModel : HeldModel<GateModel, string>;

/// <summary>Held tensor calls, for the gRPC cancellation test.</summary>
public sealed class TensorGateModel : HeldModel<TensorGateModel, OnnxTensors>;

/// <summary>Held string calls, for the job tests.</summary>
public sealed class JobHoldModel : HeldModel<JobHoldModel, string>;
