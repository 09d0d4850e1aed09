using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

/// <summary>
/// The host on Kestrel (127.0.0.1, a free port) with the default models plus <c>broken</c> (its load always fails)
/// and <see cref="HoldModel"/>s (each call held until <see cref="HoldModel.Release"/>): <c>hold</c> (20 replicas),
/// <c>narrow</c> (1 replica, a queue of 1) and <c>slow</c> (a 200 ms deadline); only <c>echo</c> is required
/// for readiness. One per test: the shutdown test stops it.
/// </summary>
public sealed class LifecycleServer : WebApplicationFactory<Program>
{
    /// <summary>Starts Kestrel on a free loopback port.</summary>
    public LifecycleServer()
    {
        UseKestrel(0);
        StartServer();
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("ModelActors:RequiredModels:0", "echo");
        builder.UseSetting("ModelActors:Models:broken:Type", typeof(BrokenModel).FullName);
        builder.UseSetting("ModelActors:Models:hold:Type", typeof(HoldModel).FullName);
        builder.UseSetting("ModelActors:Models:hold:Replicas", "20");
        builder.UseSetting("ModelActors:Models:narrow:Type", typeof(HoldModel).FullName);
        builder.UseSetting("ModelActors:Models:narrow:QueueCapacity", "1");
        builder.UseSetting("ModelActors:Models:slow:Type", typeof(HoldModel).FullName);
        builder.UseSetting("ModelActors:Models:slow:Timeout", "00:00:00.200");
        builder.UseSetting("Server:ShutdownGrace", "00:01:00");
    }
}

/// <summary>A model whose load always fails, naming why.</summary>
public sealed class BrokenModel : Model<string, string>
{
    /// <inheritdoc />
    protected override void Load(ModelContext context) => throw new FileNotFoundException("weights.bin is missing");

    /// <inheritdoc />
    protected override string Predict(string item, CancellationToken cancellationToken) => item;
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
