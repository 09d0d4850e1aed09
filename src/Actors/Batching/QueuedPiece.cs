using ModelActors.Models;

namespace ModelActors.Batching;

/// <summary>
/// A piece of a caller's work on its way through a model's batching graph: <see cref="Count"/> items of
/// <see cref="Work"/> from <see cref="Offset"/>, at most <c>MaxBatchSize</c>, weighed by its item count.
/// Every element of the graph is a reference (Akka's <c>GroupedWithin</c> can lose a value-type element
/// equal to <c>default</c>); single-item work is its own piece, so <c>PredictAsync</c> allocates none.
/// </summary>
internal interface IQueuedPiece<TItem, TResult>
{
    /// <summary>The caller's work the items belong to.</summary>
    IModelWork<TItem, TResult> Work { get; }

    /// <summary>The index in <see cref="Work"/> of the piece's first item.</summary>
    int Offset { get; }

    /// <summary>The number of items.</summary>
    int Count { get; }
}

/// <summary>A piece of a chunk (<c>PredictBatchAsync</c>, a stream's chunk) in the batching graph.</summary>
internal sealed class ChunkPiece<TItem, TResult>(IModelWork<TItem, TResult> work, int offset, int count) : IQueuedPiece<TItem, TResult>
{
    public IModelWork<TItem, TResult> Work { get; } = work;

    public int Offset { get; } = offset;

    public int Count { get; } = count;
}
