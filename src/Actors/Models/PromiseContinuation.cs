using System.Threading.Tasks.Sources;

namespace ModelActors.Models;

/// <summary>
/// The continuation of one use of a <see cref="Promise{T}"/>: registered by the awaiter, handed over exactly once, by
/// whichever of the awaiter (the use was already complete) and the completer (an awaiter was already registered) comes
/// second. The promise then decides where it runs.
/// </summary>
/// <remarks>
/// Our own rather than <see cref="ManualResetValueTaskSourceCore{TResult}"/>'s: when an awaiter registers just as the
/// use completes, that core queues the continuation to the .NET thread pool whatever its settings say, and a blocked
/// caller (the sync gateway) or an async model waiting for its dependency on its own dispatcher must never need a pool
/// thread to go on. The core still holds the result and the version.
/// </remarks>
internal struct PromiseContinuation
{
    private const int Empty = 0;
    private const int Registered = 1;
    private const int Completed = 2;

    private int _state;
    private Action<object?>? _continuation;
    private object? _continuationState;
    private ExecutionContext? _executionContext;
    private object? _schedulingContext;

    /// <summary>Readies the slot for the next use (before the use is published).</summary>
    public void Reset()
    {
        _continuation = null;
        _continuationState = null;
        _executionContext = null;
        _schedulingContext = null;
        Volatile.Write(ref _state, Empty);
    }

    /// <summary>The awaiter registers its continuation; true when the use completed first, so the awaiter must hand it over.</summary>
    public bool Register(Action<object?> continuation, object? state, ValueTaskSourceOnCompletedFlags flags)
    {
        if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0)
        {
            _executionContext = ExecutionContext.Capture();
        }

        if ((flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0)
        {
            if (SynchronizationContext.Current is { } context && context.GetType() != typeof(SynchronizationContext))
            {
                _schedulingContext = context;
            }
            else if (TaskScheduler.Current is var scheduler && scheduler != TaskScheduler.Default)
            {
                _schedulingContext = scheduler;
            }
        }

        _continuation = continuation;
        _continuationState = state;
        return Interlocked.CompareExchange(ref _state, Registered, Empty) == Completed;
    }

    /// <summary>The use completed (its result is set); true when an awaiter registered first, so the completer must hand it over.</summary>
    public bool Complete() => Interlocked.Exchange(ref _state, Completed) == Registered;

    /// <summary>Posts the continuation to the awaiter's captured context; false when it captured none.</summary>
    public readonly bool TryPostToCapturedContext()
    {
        switch (_schedulingContext)
        {
            case SynchronizationContext context:
                context.Post(static s => ((Handover)s!).Invoke(), Take());
                return true;
            case TaskScheduler scheduler:
                System.Threading.Tasks.Task.Factory.StartNew(static s => ((Handover)s!).Invoke(), Take(), CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Queues the continuation to the .NET thread pool (an async caller on no dispatcher of ours).</summary>
    public readonly void QueueToThreadPool()
    {
        if (_executionContext is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_continuation!, _continuationState, preferLocal: true);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Invoke(), Take(), preferLocal: true);
        }
    }

    /// <summary>Runs the continuation on this thread. Reads the slot first: the continuation may reuse the promise.</summary>
    public readonly void Invoke()
    {
        if (_executionContext is null)
        {
            var continuation = _continuation!;
            continuation(_continuationState);
        }
        else
        {
            Take().Invoke();
        }
    }

    private readonly Handover Take() => new(_continuation!, _continuationState, _executionContext);

    /// <summary>A continuation taken out of the slot, to run later elsewhere (the promise may be reused meanwhile).</summary>
    private sealed class Handover(Action<object?> continuation, object? state, ExecutionContext? executionContext)
    {
        public void Invoke()
        {
            if (executionContext is null)
            {
                continuation(state);
            }
            else
            {
                ExecutionContext.Run(executionContext, static s => ((Handover)s!).InvokeHere(), this);
            }
        }

        private void InvokeHere() => continuation(state);
    }
}
