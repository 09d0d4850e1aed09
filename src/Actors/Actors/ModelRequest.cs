namespace ModelActors;

/// <summary>
/// A prediction request from an actor: <c>Tell</c> or <c>Ask</c> it to a model's actor
/// (<see cref="ModelLibrary.RouterOf"/>, or the <c>ActorRegistry</c> under Akka.Hosting). The model
/// answers the sender with a <see cref="ModelReply{TResult}"/> holding one result per item, in order, or
/// with <c>Akka.Actor.Status.Failure</c> carrying the model's own exception (a <see cref="TimeoutException"/>
/// when the model's timeout passed, <see cref="ModelOverloadedException"/> when its queue is full).
/// </summary>
/// <typeparam name="TItem">The model's item type.</typeparam>
/// <param name="Items">The items; they reach the model as one chunk, or merged with other requests when the model batches. No items: answered at once with no results. As every Akka message, the request is read after it is told: do not change the list (or the items) afterwards.</param>
public sealed record ModelRequest<TItem>(IReadOnlyList<TItem> Items) : Remote.IModelRequest
{
    /// <summary>
    /// The request's deadline, counted from when the model accepts it: the model's own timeout when null. Past it the
    /// sender gets <c>Status.Failure</c> with a <see cref="TimeoutException"/>, and a request still queued never reaches
    /// the model. Must be positive (and at most 365 days).
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// The sender's cancellation (a sender in this process): once cancelled, a request still queued never reaches the
    /// model, and the sender gets <c>Status.Failure</c> with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <inheritdoc />
    Remote.IModelRequest Remote.IModelRequest.WithTimeout(TimeSpan timeout) => this with { Timeout = timeout };
}

/// <summary>A model's answer to a <see cref="ModelRequest{TItem}"/>.</summary>
/// <typeparam name="TResult">The model's result type.</typeparam>
/// <param name="Results">One result per requested item, in the items' order.</param>
public sealed record ModelReply<TResult>(IReadOnlyList<TResult> Results) : Remote.IModelMessage;
