using ModelActors.Runtime;

namespace ModelActors.Models;

/// <summary>A chunk of items from <c>PredictBatchAsync</c> or a stream; answered with the model's result list.</summary>
internal sealed class ChunkWork<TItem, TResult> : Promise<IReadOnlyList<TResult>>, IModelWork<TItem, TResult>
{
    public ChunkWork(IReadOnlyList<TItem> items, string target, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken, bool blockingCaller)
    {
        Items = items;
        Arm(target, timeout, timeProvider, cancellationToken, runContinuationsAsynchronously: !blockingCaller);
    }

    public bool IsSingle => false;

    public TItem Item => Items[0];

    public IReadOnlyList<TItem> Items { get; }

    public void Complete(TResult result) => TrySetResult([result]);

    public void Complete(IReadOnlyList<TResult> results) => TrySetResult(results);

    public void Fail(Exception exception) => TrySetException(exception);

    protected override void OnReleased() => DisposeTimer();
}
