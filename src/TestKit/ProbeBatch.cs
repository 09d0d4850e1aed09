namespace ModelActors.TestKit;

/// <summary>
/// What a <see cref="TestProbeModel{TItem, TResult}"/> sends its probe for each model call: the items.
/// Answer it with <c>probe.Reply(results)</c> (an <see cref="IReadOnlyList{T}"/> of results, one per item) or
/// <c>probe.Reply(new Status.Failure(exception))</c>.
/// </summary>
/// <typeparam name="TItem">The item type.</typeparam>
/// <param name="Items">The items of the call.</param>
/// <param name="Replica">The replica that made the call.</param>
public sealed record ProbeBatch<TItem>(IReadOnlyList<TItem> Items, int Replica);
