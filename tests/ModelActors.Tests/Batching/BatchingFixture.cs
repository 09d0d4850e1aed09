using System.Diagnostics.Metrics;
using ModelActors.TestKit;

namespace ModelActors.Tests.Batching;

/// <summary>A library with one batched probe model "m" on a manual clock; the probe holds each call open until released.</summary>
internal sealed class BatchingFixture : IAsyncDisposable
{
    private readonly List<TaskCompletionSource> _gates = [];
    private readonly Lock _gate = new();

    public BatchingFixture(int maxBatchSize, TimeSpan maxDelay, int replicas = 1, int? queueCapacity = null, Func<IReadOnlyList<int>, IReadOnlyList<int>>? answer = null, bool holdCalls = true)
    {
        Probe = new ProbeModel<int, int>(async (items, ct) =>
        {
            if (holdCalls)
            {
                await NextGate().Task.ConfigureAwait(false);
            }

            return answer?.Invoke(items) ?? [.. items.Select(i => i * 10)];
        });
        Library = ModelLibrary.CreateBuilder()
            .AddModel("m", o =>
            {
                o.MaxBatchSize = maxBatchSize;
                o.MaxDelay = maxDelay;
                o.Replicas = replicas;
                o.QueueCapacity = queueCapacity;
                o.Timeout = TimeSpan.FromMinutes(1);
            }, _ => Probe)
            .UseTimeProvider(Clock)
            .Build();
        Library.LoadAsync().GetAwaiter().GetResult();
        Client = Library.Get<int, int>("m");
    }

    public ManualTimeProvider Clock { get; } = new();

    public ProbeModel<int, int> Probe { get; }

    public ModelLibrary Library { get; }

    public IModelClient<int, int> Client { get; }

    public int QueueDepth => Library.Describe("m").QueueDepth;

    /// <summary>Lets model call number <paramref name="call"/> (from 0) return.</summary>
    public void Release(int call) => GateFor(call).TrySetResult();

    public void ReleaseAll(int calls)
    {
        for (var i = 0; i < calls; i++)
        {
            Release(i);
        }
    }

    /// <summary>Completes when this library's model has received <paramref name="count"/> more requests from now on (its requests counter, so no polling).</summary>
    public Task RequestsReceivedAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0L;
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == Library.Metrics.Meter && instrument.Name == "modelactors.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (Interlocked.Add(ref seen, value) >= count)
            {
                reached.TrySetResult();
            }
        });
        listener.Start();
        return reached.Task.ContinueWith(_ => listener.Dispose(), TaskScheduler.Default);
    }

    public ValueTask DisposeAsync() => Library.DisposeAsync();

    private TaskCompletionSource NextGate()
    {
        lock (_gate)
        {
            var index = Probe.Batches.Count - 1;
            return GateFor(index);
        }
    }

    private TaskCompletionSource GateFor(int call)
    {
        lock (_gate)
        {
            while (_gates.Count <= call)
            {
                _gates.Add(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            return _gates[call];
        }
    }
}
