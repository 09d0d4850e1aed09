namespace ModelActors.Models;

/// <summary>Graceful degradation: when the model fails, times out or is overloaded, its fallback model answers.</summary>
internal sealed partial class ModelEntry<TItem, TResult>
{
    private ModelEntry<TItem, TResult> FallbackEntry => (ModelEntry<TItem, TResult>)_library.Entry(Definition.Fallback!);

    private async ValueTask<TResult> PredictWithFallbackAsync(TItem item, CancellationToken cancellationToken, Caller caller)
    {
        try
        {
            return await PredictPrimaryAsync(item, cancellationToken, caller).ConfigureAwait(false);
        }
        catch (Exception exception) when (ShouldFallBack(exception, cancellationToken))
        {
            Events.FellBack(Definition.Fallback!, exception);
            return await FallbackEntry.PredictAsync(item, cancellationToken, caller).ConfigureAwait(false);
        }
    }

    private async ValueTask<IReadOnlyList<TResult>> PredictChunkWithFallbackAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken, Caller caller)
    {
        try
        {
            return await PredictChunkPrimaryAsync(items, cancellationToken, caller).ConfigureAwait(false);
        }
        catch (Exception exception) when (ShouldFallBack(exception, cancellationToken))
        {
            Events.FellBack(Definition.Fallback!, exception);
            return await FallbackEntry.PredictChunkAsync(items, cancellationToken, caller).ConfigureAwait(false);
        }
    }

    /// <summary>Every failure falls back except the caller's own cancellation and a stopping library.</summary>
    private static bool ShouldFallBack(Exception exception, CancellationToken cancellationToken) =>
        exception is not ModelStoppedException
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
