using Akka.Actor;
using Akka.TestKit;

namespace ModelActors.TestKit;

/// <summary>
/// A model whose every call is a message to an Akka <see cref="TestProbe"/>: the test expects the batch
/// (<c>probe.ExpectMsg&lt;ProbeBatch&lt;TItem&gt;&gt;()</c>), then scripts the answer by replying with the
/// results (any <see cref="IReadOnlyList{T}"/> of <typeparamref name="TResult"/>) or a
/// <see cref="Status.Failure"/>. Until it replies, the call is in progress: the way to hold a replica busy.
/// Register one instance per replica (<c>factory: _ =&gt; new TestProbeModel&lt;,&gt;(probe.Ref)</c>), so
/// each batch names its replica.
/// </summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <typeparam name="TResult">The result type.</typeparam>
public sealed class TestProbeModel<TItem, TResult> : AsyncModel<TItem, TResult>
{
    private readonly IActorRef _probe;
    private readonly TimeSpan _timeout;
    private int _replica;

    /// <summary>Creates a model that asks <paramref name="probe"/> for every call's results.</summary>
    /// <param name="probe">The test's probe (or any actor that answers <see cref="ProbeBatch{TItem}"/>).</param>
    /// <param name="timeout">How long a call waits for the probe's answer. The default is one minute.</param>
    public TestProbeModel(IActorRef probe, TimeSpan? timeout = null)
    {
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
        _timeout = timeout ?? TimeSpan.FromMinutes(1);
    }

    /// <inheritdoc />
    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _replica = context.Replica;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask<IReadOnlyList<TResult>> PredictBatchAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken)
    {
        var answer = await _probe.Ask<object>(new ProbeBatch<TItem>([.. items], _replica), _timeout, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            IReadOnlyList<TResult> results => results,
            Status.Failure failure => throw failure.Cause,
            _ => throw new InvalidOperationException($"The probe answered {answer.GetType().Name}; a TestProbeModel expects an IReadOnlyList<{typeof(TResult).Name}> or a Status.Failure."),
        };
    }
}
