using Akka.Streams;
using Akka.Streams.Dsl;
using BenchmarkDotNet.Attributes;
using ModelActors.Streams;

namespace ModelActors.Benchmarks;

/// <summary>
/// Items per second through a model's <c>Flow</c> in a user's own graph: <c>Source.From(items)</c> → an
/// identity AsyncModel's <c>AsFlow(batchSize)</c> (2 replicas, 2 chunks in flight) → <c>Sink.Ignore</c>, on
/// the user's materializer. Each invocation streams <see cref="Items"/> items; figures are per item.
/// </summary>
[MemoryDiagnoser]
public class FlowBenchmarks
{
    private const int Items = 20_000;

    private ModelLibrary _library = null!;
    private Flow<int, int, Akka.NotUsed> _flow = null!;
    private ActorMaterializer _materializer = null!;
    private int[] _items = null!;

    /// <summary>Items per model call (one chunk).</summary>
    [Params(1, 64)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _library = ModelLibrary.CreateBuilder().AddModel<ActorHopBenchmarks.IdentityModel>("identity", o => o.Replicas = 2).Build();
        _library.LoadAsync().GetAwaiter().GetResult();
        _flow = _library.Get<int, int>("identity").AsFlow(BatchSize);
        _materializer = _library.ActorSystem.Materializer();
        _items = [.. Enumerable.Range(0, Items)];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _materializer.Dispose();
        _library.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Streams every item through the model's flow.</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public Task ThroughModelFlow() => Source.From(_items).Via(_flow).RunWith(Sink.Ignore<int>(), _materializer);
}
