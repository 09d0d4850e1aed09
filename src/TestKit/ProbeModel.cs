namespace ModelActors.TestKit;

/// <summary>
/// A scriptable model for tests: records every batch it receives and answers with a scripted function
/// (which may await, e.g. a <see cref="TaskCompletionSource"/> the test holds) or exception. Register it
/// with <c>builder.AddModel("name", configure, _ =&gt; probe)</c>; all replicas share the probe.
/// </summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
public sealed class ProbeModel<TItem, TResult> : AsyncModel<TItem, TResult>
{
    private readonly Lock _gate = new();
    private readonly List<IReadOnlyList<TItem>> _batches = [];
    private readonly List<(int Count, TaskCompletionSource Seen)> _waiters = [];
    private Func<IReadOnlyList<TItem>, CancellationToken, ValueTask<IReadOnlyList<TResult>>> _answer;
    private int _loads;

    /// <summary>Creates a probe answering each item with <paramref name="answer"/>.</summary>
    /// <param name="answer">Maps an item to its result (may throw to fail the batch).</param>
    public ProbeModel(Func<TItem, TResult> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        _answer = (items, _) => ValueTask.FromResult<IReadOnlyList<TResult>>([.. items.Select(answer)]);
    }

    /// <summary>Creates a probe answering each batch with <paramref name="answer"/>.</summary>
    /// <param name="answer">Answers a batch; may await (hold the batch open) or throw.</param>
    public ProbeModel(Func<IReadOnlyList<TItem>, CancellationToken, ValueTask<IReadOnlyList<TResult>>> answer)
    {
        _answer = answer ?? throw new ArgumentNullException(nameof(answer));
    }

    /// <summary>A probe whose every batch fails with the exception <paramref name="failure"/> makes.</summary>
    /// <param name="failure">Makes the exception for a batch.</param>
    /// <returns>The probe.</returns>
    public static ProbeModel<TItem, TResult> Failing(Func<IReadOnlyList<TItem>, Exception> failure) =>
        new((items, _) => ValueTask.FromException<IReadOnlyList<TResult>>(failure(items)));

    /// <summary>
    /// A probe that holds every batch until <paramref name="gate"/> completes, then answers each item with
    /// <paramref name="answer"/>: the way to keep a replica busy while a test queues more work.
    /// </summary>
    /// <param name="gate">Completes when the held batches may return (e.g. a <see cref="TaskCompletionSource"/>'s task).</param>
    /// <param name="answer">Maps an item to its result.</param>
    /// <returns>The probe.</returns>
    public static ProbeModel<TItem, TResult> Holding(Task gate, Func<TItem, TResult> answer)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(answer);
        return new(async (items, _) =>
        {
            await gate.ConfigureAwait(false);
            return [.. items.Select(answer)];
        });
    }

    /// <summary>Every batch received so far, in arrival order.</summary>
    public IReadOnlyList<IReadOnlyList<TItem>> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    /// <summary>Every item received so far, in arrival order.</summary>
    public IReadOnlyList<TItem> Items => [.. Batches.SelectMany(b => b)];

    /// <summary>How many times a replica loaded this probe.</summary>
    public int Loads => Volatile.Read(ref _loads);

    /// <summary>An optional hook run at each load (throw from it to make the load fail).</summary>
    public Func<ModelContext, ValueTask>? OnLoad { get; set; }

    /// <summary>Replaces the script for the batches that arrive from now on.</summary>
    /// <param name="answer">The new script.</param>
    public void Answer(Func<IReadOnlyList<TItem>, CancellationToken, ValueTask<IReadOnlyList<TResult>>> answer) =>
        Volatile.Write(ref _answer, answer ?? throw new ArgumentNullException(nameof(answer)));

    /// <summary>Completes when the probe has received at least <paramref name="count"/> batches.</summary>
    /// <param name="count">The number of batches to wait for.</param>
    /// <param name="timeout">A safety net so a broken test fails instead of hanging (default 10 s).</param>
    /// <returns>The batches received when the expectation was met.</returns>
    public async Task<IReadOnlyList<IReadOnlyList<TItem>>> ExpectBatchesAsync(int count, TimeSpan? timeout = null)
    {
        TaskCompletionSource seen;
        lock (_gate)
        {
            if (_batches.Count >= count)
            {
                return [.. _batches];
            }

            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, seen));
        }

        try
        {
            await seen.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Expected the probe to see {count} batch(es); it saw {Batches.Count}.");
        }

        return Batches;
    }

    /// <inheritdoc />
    protected override async ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        if (OnLoad is { } onLoad)
        {
            await onLoad(context).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override ValueTask<IReadOnlyList<TResult>> PredictBatchAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken)
    {
        List<TaskCompletionSource> met = [];
        lock (_gate)
        {
            _batches.Add([.. items]);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_batches.Count >= _waiters[i].Count)
                {
                    met.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in met)
        {
            waiter.TrySetResult();
        }

        return Volatile.Read(ref _answer)(items, cancellationToken);
    }
}
