using System.Threading.Tasks.Dataflow;

namespace ModelActors.Streaming;

/// <summary>Models as TPL Dataflow blocks, for the pipelines .NET users already build.</summary>
public static class ModelDataflow
{
    /// <summary>
    /// A block that predicts each item it receives. Order-preserving (results leave in the order items
    /// arrived, even with many in flight), bounded (<paramref name="boundedCapacity"/> items inside, so
    /// upstream <c>SendAsync</c> waits when it is full), completion propagated when linked with
    /// <c>PropagateCompletion</c>, and faulted with the model's exception when an item fails.
    /// </summary>
    /// <typeparam name="TItem">The model's item type.</typeparam>
    /// <typeparam name="TResult">The model's result type.</typeparam>
    /// <param name="client">The model.</param>
    /// <param name="maxInFlight">Items predicted at once (with batching on, they merge into batches).</param>
    /// <param name="boundedCapacity">Items the block holds, waiting or in flight.</param>
    /// <param name="cancellationToken">Cancels the block.</param>
    /// <returns>The block.</returns>
    public static IPropagatorBlock<TItem, TResult> ToDataflowBlock<TItem, TResult>(
        this IModelClient<TItem, TResult> client, int maxInFlight = 64, int boundedCapacity = 1024, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(boundedCapacity, maxInFlight);
        return new TransformBlock<TItem, TResult>(
            item => client.PredictAsync(item, cancellationToken).AsTask(),
            new ExecutionDataflowBlockOptions
            {
                MaxDegreeOfParallelism = maxInFlight,
                BoundedCapacity = boundedCapacity,
                EnsureOrdered = true,
                SingleProducerConstrained = false,
                CancellationToken = cancellationToken,
            });
    }
}
