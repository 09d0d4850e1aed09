using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit;
using ModelActors.TestKit;

namespace ModelActors.Tests.Batching;

/// <summary>
/// A library with one batched probe model "m" in an actor system on Akka.TestKit's virtual scheduler
/// (request deadlines and the batching window move only with <see cref="Advance"/>); the probe holds
/// each call open until released.
/// </summary>
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
        System = ActorSystem.Create("batching", ModelActorsTestKit.TestConfig);
        Clock = new SchedulerTimeProvider(System.Scheduler);
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
            .UseActorSystem(System)
            .Build();
        Library.LoadAsync().GetAwaiter().GetResult();
        Client = Library.Get<int, int>("m");
    }

    public ActorSystem System { get; }

    /// <summary>The library's clock: the virtual scheduler's time.</summary>
    public TimeProvider Clock { get; }

    public ProbeModel<int, int> Probe { get; }

    public ModelLibrary Library { get; }

    public IModelClient<int, int> Client { get; }

    public int QueueDepth => Library.Describe("m").QueueDepth;

    /// <summary>The model's batcher (its test seams).</summary>
    internal ModelActors.Batching.Batcher<int, int> Batcher => ((ModelActors.Models.ModelEntry<int, int>)Library.Entry("m")).Batcher!;

    /// <summary>Moves virtual time: due deadlines fail, the batching window closes when due.</summary>
    public void Advance(TimeSpan by) => ((TestScheduler)System.Scheduler).Advance(by);

    /// <summary>Completes when <paramref name="count"/> more pieces of work have entered a forming batch (see <see cref="BatcherSeams"/>).</summary>
    public Task PiecesGroupedAsync(int count) => Library.PiecesGroupedAsync("m", count);

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

    public async ValueTask DisposeAsync()
    {
        await Library.DisposeAsync();
        await System.Terminate();
    }

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
