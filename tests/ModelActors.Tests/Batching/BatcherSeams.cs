namespace ModelActors.Tests.Batching;

/// <summary>Waits on a loaded batching model's graph instead of on time.</summary>
internal static class BatcherSeams
{
    /// <summary>
    /// Completes when <paramref name="count"/> more pieces of work (a single request is one; a chunk one
    /// per MaxBatchSize items) have entered a forming batch of <paramref name="model"/>: call it before
    /// sending them, await it before releasing the replica or moving virtual time.
    /// </summary>
    public static Task PiecesGroupedAsync(this ModelLibrary library, string model, int count)
    {
        var grouped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        var hooked = library.Entry(model).TrySetPieceGrouped(() =>
        {
            if (Interlocked.Increment(ref seen) == count)
            {
                grouped.TrySetResult();
            }
        });
        if (!hooked)
        {
            throw new InvalidOperationException($"Model '{model}' is not loaded with batching on.");
        }

        return grouped.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a safety net: a broken test fails instead of hanging
    }
}
