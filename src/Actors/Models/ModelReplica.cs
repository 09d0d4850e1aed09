using System.Runtime.CompilerServices;
using ModelActors.Runtime;

namespace ModelActors.Models;

/// <summary>
/// One replica of a model: an actor that loads its own model instance in PreStart and answers each
/// work message. A prediction failure goes back to that caller (with the model's name attached) and the
/// replica carries on; only a load failure is a start failure, retried with backoff.
/// </summary>
internal sealed class ModelReplica<TItem, TResult>(ModelEntry<TItem, TResult> entry, int index) : IActor<IModelWork<TItem, TResult>>
{
    private ModelBase<TItem, TResult>? _model;

    public async ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        var model = entry.CreateInstance();
        await model.LoadCoreAsync(entry.CreateContext(index), cancellationToken).ConfigureAwait(false);
        _model = model;
    }

    public ValueTask ReceiveAsync(IModelWork<TItem, TResult> work)
    {
        if (!work.TryBegin())
        {
            // Timed out or cancelled while queued: it never reaches the model.
            work.Release();
            return ValueTask.CompletedTask;
        }

        try
        {
            if (work.IsSingle && entry.Definition.OverridesSingle)
            {
                var pending = _model!.PredictOneCoreAsync(work.Item, work.CancellationToken);
                if (!pending.IsCompletedSuccessfully)
                {
                    return AwaitOneAsync(work, pending);
                }

                work.Complete(pending.Result);
            }
            else
            {
                var items = work.Items;
                var pending = _model!.PredictManyCoreAsync(items, work.CancellationToken);
                if (!pending.IsCompletedSuccessfully)
                {
                    return AwaitManyAsync(work, items.Count, pending);
                }

                CompleteMany(work, items.Count, pending.Result);
            }
        }
        catch (Exception exception)
        {
            work.Fail(ModelErrors.Attach(exception, entry.Name));
        }

        work.Release();
        return ValueTask.CompletedTask;
    }

    public ValueTask PostStopAsync() =>
        _model is IAsyncDisposable asyncDisposable ? asyncDisposable.DisposeAsync() : DisposeSync(_model as IDisposable);

    private static ValueTask DisposeSync(IDisposable? disposable)
    {
        disposable?.Dispose();
        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitOneAsync(IModelWork<TItem, TResult> work, ValueTask<TResult> pending)
    {
        try
        {
            work.Complete(await pending.ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            work.Fail(ModelErrors.Attach(exception, entry.Name));
        }
        finally
        {
            work.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitManyAsync(IModelWork<TItem, TResult> work, int count, ValueTask<IReadOnlyList<TResult>> pending)
    {
        try
        {
            CompleteMany(work, count, await pending.ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            work.Fail(ModelErrors.Attach(exception, entry.Name));
        }
        finally
        {
            work.Release();
        }
    }

    private void CompleteMany(IModelWork<TItem, TResult> work, int count, IReadOnlyList<TResult>? results)
    {
        if (results is null || results.Count != count)
        {
            throw new ModelResultCountException(entry.Name, count, results?.Count ?? 0);
        }

        work.Complete(results);
    }
}
