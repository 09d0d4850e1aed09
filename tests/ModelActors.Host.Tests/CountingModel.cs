using System.Collections.Concurrent;

namespace ModelActors.Host.Tests;

/// <summary>
/// Doubles an int after a short pause (its setting <c>DelayMs</c>), and appends each item it answered to the file its
/// setting <c>Log</c> names (when set) and to <see cref="Completed"/>, so tests count how often each item ran to the end.
/// </summary>
public sealed class CountingModel : AsyncModel<int, int>
{
    private static readonly Lock FileLock = new();
    private string? _log;
    private int _delay;

    /// <summary>Answers completed in this process, by item.</summary>
    public static ConcurrentDictionary<int, int> Completed { get; } = new();

    /// <inheritdoc />
    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _log = context.GetSetting("Log");
        _delay = int.TryParse(context.GetSetting("DelayMs"), out var delay) ? delay : 0;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken)
    {
        if (_delay > 0)
        {
            await Task.Delay(_delay, cancellationToken); // the model's own work, not a wait for a condition
        }

        Completed.AddOrUpdate(item, 1, (_, n) => n + 1);
        if (_log is not null)
        {
            lock (FileLock)
            {
                File.AppendAllText(_log, $"{item}\n");
            }
        }

        return item * 2;
    }
}

/// <summary>Doubles an int, but refuses item 3 the first time as an overloaded model would (a refusal not the item's own), counting calls per item.</summary>
public sealed class RefusingOnceModel : AsyncModel<int, int>
{
    /// <summary>Calls per item, refused or not.</summary>
    public static ConcurrentDictionary<int, int> Calls { get; } = new();

    /// <inheritdoc />
    protected override ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken)
    {
        var calls = Calls.AddOrUpdate(item, 1, (_, n) => n + 1);
        return item == 3 && calls == 1
            ? throw new ModelOverloadedException("a dependency", 1, TimeSpan.FromSeconds(1))
            : ValueTask.FromResult(item * 2);
    }
}
