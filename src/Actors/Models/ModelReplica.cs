using System.Runtime.CompilerServices;
using ModelActors.Batching;
using ModelActors.Diagnostics;

namespace ModelActors.Models;

/// <summary>
/// What one replica does with its model instance (hosted by <see cref="Actors.ReplicaActor{TItem, TResult}"/>):
/// loads it, and answers each work message. A prediction failure goes back to that caller (with the model's name attached) and the
/// replica carries on; only a load failure is a start failure, retried with backoff. When a merged
/// batch (several callers' items) fails, its items are retried one by one so that only the failing
/// items fail, each with the model's own exception. The async callers of a batch merged from several
/// callers' work are answered on the thread pool (<see cref="Deliveries"/>), so the replica goes straight
/// on to its next batch; a batch with a blocked (sync gateway) caller or an actor to answer is answered here.
/// </summary>
/// <remarks>
/// The awaits on the prediction path keep the context (<c>ConfigureAwait(true)</c>): an async model's replica runs its
/// calls under <see cref="Actors.ReplicaSynchronizationContext"/>, so they resume on its dispatcher, never on the .NET
/// thread pool that blocked callers may be holding (a sync model's replica has no context, and nothing changes).
/// </remarks>
internal sealed class ModelReplica<TItem, TResult>(ModelEntry<TItem, TResult> entry, int index)
{
    private readonly Deliveries _deliveries = new(entry.Name);
    private readonly ReplicaCall _call = entry.CreateReplicaCall();
    private ModelBase<TItem, TResult>? _model;

    /// <summary>The call this replica runs (its model's dependency clients pass its deadline on): begun before the model sees a work, ended when the replica is done with it.</summary>
    public ReplicaCall Call => _call;

    public async ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        var model = entry.CreateInstance();
        try
        {
            await model.LoadCoreAsync(entry.CreateContext(index, _call), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // What a load took before it threw (an ONNX session acquired, then a declaration refused) is freed now: no
            // stop will dispose an instance that never loaded, and each retry would take more.
            try
            {
                await Dispose(model).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The load's own error is the one to report.
            }

            throw;
        }

        _model = model;
        if (model is IItemCheck<TItem> check)
        {
            entry.UseItemCheck(check);
        }

        if (model is ISignatureSource signed)
        {
            entry.UseSignature(signed.Signature);
        }
    }

    public ValueTask ReceiveAsync(IModelWork<TItem, TResult> work)
    {
        entry.Events.Taken(work is MergedWork<TItem, TResult> merged ? merged.Parts.Length : 1); // requests, as the queue depth counts them
        if (!work.TryBegin())
        {
            // Timed out or cancelled while queued: it never reaches the model.
            work.Release();
            return ValueTask.CompletedTask;
        }

        if (work is MergedWork<TItem, TResult> waited)
        {
            if (waited.HasCompletedParts)
            {
                // Callers that timed out or cancelled while the batch waited never reach the model.
                if (waited.WithoutCompletedParts() is not { } live)
                {
                    waited.FinishWithoutWork();
                    return ValueTask.CompletedTask;
                }

                work = live;
            }
        }
        else if (work.AcceptedAt != 0)
        {
            entry.Events.Dequeued(work.AcceptedAt, work.Count);
        }

        var compute = entry.Events.Compute(work.Count);
        var cancellation = _call.Attach(work); // cancelled if the caller gives up while the model runs (taken back by Call.End)
        try
        {
            if (work.IsSingle && entry.Definition.OverridesSingle)
            {
                var pending = _model!.PredictOneCoreAsync(work.Item, cancellation);
                if (!pending.IsCompletedSuccessfully)
                {
                    return AwaitOneAsync(work, pending, compute);
                }

                compute.Dispose();
                compute = default;
                work.Complete(pending.Result);
            }
            else
            {
                var items = work.Items;
                var pending = _model!.PredictManyCoreAsync(items, cancellation);
                if (!pending.IsCompletedSuccessfully)
                {
                    return AwaitManyAsync(work, items.Count, pending, compute);
                }

                CheckCount(items.Count, pending.Result); // a wrong count is a failed call, not a success
                compute.Dispose();
                compute = default;
                if (Answer(work, pending.Result))
                {
                    return ValueTask.CompletedTask;
                }
            }
        }
        catch (Exception exception)
        {
            compute.Failed();
            return FailAsync(work, exception);
        }

        work.Release();
        return ValueTask.CompletedTask;
    }

    public async ValueTask PostStopAsync()
    {
        // Results may still be read by deliveries (lazily computed ones may need the model): they finish first.
        await _deliveries.WhenIdleAsync().ConfigureAwait(false);
        await Dispose(_model).ConfigureAwait(false);
    }

    private static ValueTask Dispose(object? model) =>
        model is IAsyncDisposable asyncDisposable ? asyncDisposable.DisposeAsync() : DisposeSync(model as IDisposable);

    private static ValueTask DisposeSync(IDisposable? disposable)
    {
        disposable?.Dispose();
        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitOneAsync(IModelWork<TItem, TResult> work, ValueTask<TResult> pending, ModelEvents.ComputeScope compute)
    {
        TResult result;
        try
        {
            result = await pending.ConfigureAwait(true);
        }
        catch (Exception exception)
        {
            compute.Failed();
            await FailAsync(work, exception).ConfigureAwait(true);
            return;
        }

        compute.Dispose();
        work.Complete(result);
        work.Release();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitManyAsync(IModelWork<TItem, TResult> work, int count, ValueTask<IReadOnlyList<TResult>> pending, ModelEvents.ComputeScope compute)
    {
        IReadOnlyList<TResult> results;
        try
        {
            results = await pending.ConfigureAwait(true);
            CheckCount(count, results);
        }
        catch (Exception exception)
        {
            compute.Failed();
            await FailAsync(work, exception).ConfigureAwait(true);
            return;
        }

        compute.Dispose();
        if (!Answer(work, results))
        {
            work.Release();
        }
    }

    /// <summary>
    /// Answers a successful call: a batch merged from several callers' work is delivered on the thread pool
    /// (which also releases it; true), anything else is completed here (false: the caller releases it).
    /// Either way each part of a merged batch is answered on its own, so a result that fails when read
    /// fails only its part.
    /// </summary>
    private bool Answer(IModelWork<TItem, TResult> work, IReadOnlyList<TResult> results)
    {
        if (work is not MergedWork<TItem, TResult> merged)
        {
            work.Complete(results);
            return false;
        }

        // A blocked caller (the sync gateway) is woken from here, never through the thread pool its own thread may be
        // starving; an actor is answered from here, so that its replies keep the order of the batches (deliveries of two
        // batches on the pool could overtake each other).
        if (merged is { Parts.Length: > 1, AnswersInline: false })
        {
            _deliveries.Deliver(merged, results);
            return true;
        }

        merged.CompleteEachPart(results, entry.Name);
        return false;
    }

    /// <summary>Answers a failed call: a merged batch of several items is retried item by item; anything else fails its caller.</summary>
    private ValueTask FailAsync(IModelWork<TItem, TResult> work, Exception exception)
    {
        if (exception is OperationCanceledException && work.IsCompleted)
        {
            // The model honoured its token: the caller gave up (deadline, cancellation) and has its answer; nothing
            // is retried item by item, and a call given up is not a model failure.
            work.Release();
            return ValueTask.CompletedTask;
        }

        if (work is MergedWork<TItem, TResult> { Count: > 1 } merged)
        {
            return IsolateAsync(merged);
        }

        entry.Events.Failed();
        work.Fail(ModelErrors.Attach(exception, entry.Name));
        work.Release();
        return ValueTask.CompletedTask;
    }

    private async ValueTask IsolateAsync(MergedWork<TItem, TResult> merged)
    {
        try
        {
            for (var i = 0; i < merged.Count; i++)
            {
                try
                {
                    var result = await PredictOneAsync(merged.Items[i], merged.CancellationToken).ConfigureAwait(true);
                    merged.SetPart(i, [result], 0, 1);
                }
                catch (Exception exception)
                {
                    entry.Events.IsolatedFailure(i, merged.Count, exception);
                    merged.FailItem(i, ModelErrors.Attach(exception, entry.Name));
                }
            }
        }
        finally
        {
            merged.Release();
        }
    }

    private async ValueTask<TResult> PredictOneAsync(TItem item, CancellationToken cancellationToken)
    {
        var compute = entry.Events.Compute(1);
        try
        {
            TResult result;
            if (entry.Definition.OverridesSingle)
            {
                result = await _model!.PredictOneCoreAsync(item, cancellationToken).ConfigureAwait(true);
            }
            else
            {
                var results = await _model!.PredictManyCoreAsync([item], cancellationToken).ConfigureAwait(true);
                CheckCount(1, results);
                result = results[0];
            }

            compute.Dispose();
            return result;
        }
        catch
        {
            compute.Failed();
            throw;
        }
    }

    private void CheckCount(int count, IReadOnlyList<TResult>? results)
    {
        if (results is null || results.Count != count)
        {
            throw new ModelResultCountException(entry.Name, count, results?.Count ?? 0);
        }
    }
}
