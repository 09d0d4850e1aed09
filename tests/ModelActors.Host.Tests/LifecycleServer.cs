namespace ModelActors.Host.Tests;

/// <summary>
/// The host on Kestrel (127.0.0.1, a free port) with the default models plus <c>broken</c> (its load always fails)
/// and <see cref="HoldModel"/>s (each call held until <see cref="HoldModel.Release"/>): <c>hold</c> (20 replicas),
/// <c>narrow</c> (1 replica, a queue of 1) and <c>slow</c> (a 200 ms deadline); only <c>echo</c> is required
/// for readiness. One per test: the shutdown test stops it.
/// </summary>
public class LifecycleServer : KestrelServer
{
    /// <inheritdoc />
    protected override IEnumerable<(string Key, string? Value)> Settings =>
    [
        ("ModelActors:RequiredModels:0", "echo"),
        ("ModelActors:Models:broken:Type", typeof(BrokenModel).FullName),
        ("ModelActors:Models:broken:LoadRetries", "0"),
        ("ModelActors:Models:flaky:Type", typeof(FlakyModel).FullName),
        ("ModelActors:Models:flaky:LoadRetries", "0"),
        ("ModelActors:Models:hold:Type", typeof(HoldModel).FullName),
        ("ModelActors:Models:hold:Replicas", "20"),
        ("ModelActors:Models:narrow:Type", typeof(HoldModel).FullName),
        ("ModelActors:Models:narrow:QueueCapacity", "1"),
        ("ModelActors:Models:slow:Type", typeof(HoldModel).FullName),
        ("ModelActors:Models:slow:Timeout", "00:00:00.200"),
        ("Server:ShutdownGrace", "00:01:00"),
    ];
}

/// <summary>A model whose load always fails, naming why.</summary>
public sealed class BrokenModel : Model<string, string>
{
    /// <inheritdoc />
    protected override void Load(ModelContext context) => throw new FileNotFoundException("weights.bin is missing");

    /// <inheritdoc />
    protected override string Predict(string item, CancellationToken cancellationToken) => item;
}

/// <summary>The lifecycle server retrying failed models every 100 ms (the others keep the 30 s default, so that a failed model stays failed while they look at it).</summary>
public sealed class RetryingServer : LifecycleServer
{
    /// <inheritdoc />
    protected override IEnumerable<(string Key, string? Value)> Settings => [.. base.Settings, ("Server:RetryFailedModels", "00:00:00.100")];
}

/// <summary>A model whose first <see cref="Reset"/>-given loads fail, then load; <see cref="Loaded"/> completes on the first success.</summary>
public sealed class FlakyModel : AsyncModel<string, string>
{
    private static int _failuresLeft;

    /// <summary>Completed when a load succeeded.</summary>
    public static TaskCompletionSource Loaded { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next <paramref name="failures"/> loads fail.</summary>
    public static void Reset(int failures)
    {
        _failuresLeft = failures;
        Loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <inheritdoc />
    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new IOException("the weights server is not up yet");
        }

        Loaded.TrySetResult();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken) => ValueTask.FromResult(item);
}

/// <summary>Holds each call until <see cref="Release"/> completes; <see cref="Arrived"/> completes when <see cref="Expected"/> calls are held.</summary>
public sealed class HoldModel : AsyncModel<string, string>
{
    private static int _arrivals;

    /// <summary>How many held calls complete <see cref="Arrived"/>.</summary>
    public static int Expected { get; set; } = int.MaxValue;

    /// <summary>Completed when <see cref="Expected"/> calls are held.</summary>
    public static TaskCompletionSource Arrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets every held call answer.</summary>
    public static TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fresh signals for <paramref name="expected"/> calls.</summary>
    public static void Reset(int expected)
    {
        _arrivals = 0;
        Expected = expected;
        Arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <inheritdoc />
    protected override async ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _arrivals) == Expected)
        {
            Arrived.TrySetResult();
        }

        await Release.Task.WaitAsync(cancellationToken);
        return item;
    }
}
