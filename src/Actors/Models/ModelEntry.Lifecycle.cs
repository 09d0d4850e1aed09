using Akka.Actor;
using ModelActors.Actors;
using ModelActors.Batching;

namespace ModelActors.Models;

/// <summary>A model's life: loading (once, with the callers that wait for it queued), and stopping (refuse, drain, fail what is left).</summary>
internal sealed partial class ModelEntry<TItem, TResult>
{
    public override Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        var task = Volatile.Read(ref _loadTask);
        if (task is { IsCompletedSuccessfully: true })
        {
            return task;
        }

        lock (_gate)
        {
            if (_stopping)
            {
                return Task.FromException(new ModelStoppedException(Name, "the library is stopping."));
            }

            if (_loadTask is null || _loadTask.IsFaulted || _loadTask.IsCanceled)
            {
                State = ModelState.Loading;
                _loadTask = Task.Run(LoadAsync, CancellationToken.None);
            }

            task = _loadTask;
        }

        return task.WaitAsync(cancellationToken);
    }

    public override void BeginStop()
    {
        lock (_gate)
        {
            _stopping = true;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        IReplicaTarget<TItem, TResult>? pool;
        Batcher<TItem, TResult>? batcher;
        lock (_gate)
        {
            _stopping = true;
            pool = _pool;
            batcher = _batcher;
        }

        if (pool is null)
        {
            await DrainActorAsync(CancellationToken.None).ConfigureAwait(false);
            State = ModelState.Stopped;
            return;
        }

        State = ModelState.Stopping;
        try
        {
            await LoadWaitersQueued().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The drain deadline passed: requests still waiting for the load are refused by the closed queue.
        }

        if (batcher is null)
        {
            pool.Close();
        }
        else
        {
            batcher.Stop();
            try
            {
                await batcher.Drained.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                batcher.FailQueued(StoppedBeforeProcessed);
            }

            pool.Close();
        }

        await DrainActorAsync(cancellationToken).ConfigureAwait(false);
        State = ModelState.Stopped;
    }

    /// <summary>
    /// Asks the model actor to drain its replicas (each finishes what it accepted, then stops and disposes
    /// its model). When <paramref name="cancellationToken"/> fires first, what is still queued fails with a
    /// shutdown error and the replicas stop without waiting for the calls in progress.
    /// </summary>
    private async Task DrainActorAsync(CancellationToken cancellationToken)
    {
        if (ModelActor.IsNobody())
        {
            return;
        }

        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ModelActor.Tell(new DrainModel(drained));
        try
        {
            await drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ModelActor.Tell(new AbortModel(aborted));
            await aborted.Task.ConfigureAwait(false);
        }
    }

    /// <summary>A request accepted before the model loaded waits for the load; a stop lets it join the queue before closing it.</summary>
    /// <summary>Counts a request waiting for the load (a stop queues such requests before it closes the queue).</summary>
    internal void EnterLoadWait()
    {
        lock (_gate)
        {
            _awaitingLoad++;
        }
    }

    /// <summary>A request that waited for the load is queued (or answered).</summary>
    internal void LeaveLoadWait()
    {
        TaskCompletionSource? gone = null;
        lock (_gate)
        {
            if (--_awaitingLoad == 0)
            {
                gone = _loadWaitersGone;
            }
        }

        gone?.TrySetResult();
    }

    /// <summary>Completes when every request that was waiting for the load when the stop began has been queued (or failed).</summary>
    private Task LoadWaitersQueued()
    {
        lock (_gate)
        {
            if (_awaitingLoad == 0)
            {
                return Task.CompletedTask;
            }

            _loadWaitersGone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _loadWaitersGone.Task;
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            foreach (var dependency in Definition.Dependencies.Values.Distinct())
            {
                await _library.Entry(dependency).EnsureLoadedAsync(_library.Stopping).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            State = ModelState.Failed;
            LastError = exception;
            throw;
        }

        var started = _library.TimeProvider.GetTimestamp();
        var run = new LoadRun();
        ModelActor.Tell(new LoadModel(run));
        IReplicaTarget<TItem, TResult> pool;
        try
        {
            pool = (IReplicaTarget<TItem, TResult>)await run.Task.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LastError = exception;
            State = ModelState.Failed;
            throw;
        }

        if (Definition.Batching is { } batching)
        {
            // The batcher's graph sends at most one batch per replica at a time, so the pool's mailbox stays short.
            _batcher = new Batcher<TItem, TResult>(new BatcherSetup<TItem, TResult>(
                Name, batching, _queueCapacity, Definition.Replicas, pool, _library.Materializer, _library.TimeProvider, _logger, StoppedBeforeProcessed, OnBatchFormed, Events.CallTook));
        }

        LoadDuration = _library.TimeProvider.GetElapsedTime(started);
        LastError = null;
        Volatile.Write(ref _pool, pool);
        State = ModelState.Ready;
        ModelLog.Loaded(_logger, Name, Definition.Replicas, LoadDuration.Value.TotalMilliseconds);
    }
}
