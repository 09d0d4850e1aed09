namespace ModelActors.Models;

/// <summary>
/// A loaded model that can tell, from the item alone, that it would refuse it. The library asks before a
/// single request is queued: a bad request then fails at once on the caller's side, and never joins (and
/// fails) a batch that the replica would have to retry item by item.
/// </summary>
/// <typeparam name="TItem">The model's item type.</typeparam>
/// <remarks>Called concurrently from callers' threads, so it must only read state fixed at load.</remarks>
internal interface IItemCheck<in TItem>
{
    /// <summary>The error the model would fail <paramref name="item"/> with, or <see langword="null"/> when it looks acceptable (or cannot be checked now).</summary>
    /// <param name="item">The caller's item.</param>
    /// <returns>The error, or null.</returns>
    Exception? CheckItem(TItem item);
}
