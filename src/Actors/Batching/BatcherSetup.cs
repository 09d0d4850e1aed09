using Akka.Streams;
using Microsoft.Extensions.Logging;
using ModelActors.Actors;

namespace ModelActors.Batching;

/// <summary>What a model's batcher is made of.</summary>
/// <param name="ModelName">The model's name, for errors and logs.</param>
/// <param name="Options">Batch size and window.</param>
/// <param name="Capacity">The most requests holding queue slots (<c>QueueCapacity</c>).</param>
/// <param name="ReplicaCount">The replicas: the most batches in flight.</param>
/// <param name="Replicas">Where batches go.</param>
/// <param name="Materializer">Runs the graph (the library's).</param>
/// <param name="TimeProvider">The library's clock, for queue and call times.</param>
/// <param name="Logger">The model's logger.</param>
/// <param name="Stopped">The error of a request failed because the model stopped before it was sent.</param>
/// <param name="OnFormed">Told each batch's parts as it is formed (queue-time metrics).</param>
/// <param name="OnDone">Told each batch's time from forming to release.</param>
internal sealed record BatcherSetup<TItem, TResult>(
    string ModelName,
    BatchingOptions Options,
    int Capacity,
    int ReplicaCount,
    IReplicaTarget<TItem, TResult> Replicas,
    IMaterializer Materializer,
    TimeProvider TimeProvider,
    ILogger Logger,
    Func<Exception> Stopped,
    Action<IReadOnlyList<WorkPart<TItem, TResult>>> OnFormed,
    Action<TimeSpan> OnDone);
