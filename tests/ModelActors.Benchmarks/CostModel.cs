using System.Diagnostics;

namespace ModelActors.Benchmarks;

/// <summary>
/// A sync model whose call costs a fixed overhead plus a per-item cost, spent spinning on its dedicated
/// thread (the shape of real inference: kernel launch and framework overhead, then work per item).
/// </summary>
public sealed class CostModel(TimeSpan fixedCost, TimeSpan perItem) : Model<int, int>
{
    /// <inheritdoc />
    protected override IReadOnlyList<int> PredictBatch(IReadOnlyList<int> items, CancellationToken cancellationToken)
    {
        Spin(fixedCost + (perItem * items.Count));
        return items;
    }

    private static void Spin(TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            Thread.SpinWait(20);
        }
    }
}

/// <summary>Answers at once: isolates what the batcher itself adds to a request.</summary>
public sealed class InstantModel : AsyncModel<int, int>
{
    /// <inheritdoc />
    protected override ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken) => ValueTask.FromResult(item);
}
