using System.Collections.Concurrent;

namespace ModelActors.Tests;

// Models shared by the tests. Each one is small and named for what it does.

[ModelConfiguration("upper")]
public sealed class UpperModel : Model<string, string>
{
    protected override string Predict(string item, CancellationToken cancellationToken) => item.ToUpperInvariant();
}

[ModelConfiguration("length")]
public sealed class LengthModel : AsyncModel<string, int>
{
    protected override ValueTask<int> PredictAsync(string item, CancellationToken cancellationToken) => ValueTask.FromResult(item.Length);
}

public sealed class BatchDoubler : Model<int, int>
{
    protected override IReadOnlyList<int> PredictBatch(IReadOnlyList<int> items, CancellationToken cancellationToken) => [.. items.Select(i => i * 2)];
}

public sealed class NeitherOverridden : Model<int, int>
{
}

public sealed class BothOverridden : AsyncModel<int, int>
{
    protected override ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken) => ValueTask.FromResult(item);

    protected override ValueTask<IReadOnlyList<int>> PredictBatchAsync(IReadOnlyList<int> items, CancellationToken cancellationToken) => ValueTask.FromResult(items);
}

public sealed class WrongCountModel : Model<int, int>
{
    protected override IReadOnlyList<int> PredictBatch(IReadOnlyList<int> items, CancellationToken cancellationToken) => [.. items, 0];
}

public sealed class GreetingSettings
{
    public string Greeting { get; set; } = "hello";

    public int Repeat { get; set; } = 1;
}

/// <summary>Uses its settings; registered from attributes, code and JSON in the tests.</summary>
[ModelConfiguration("greeter", Settings = ["Greeting=hi", "Repeat=2"])]
[ModelConfiguration("greeter-default")]
public sealed class GreeterModel : Model<string, string>
{
    private GreetingSettings _settings = new();

    protected override void Load(ModelContext context) => _settings = context.GetSettings<GreetingSettings>();

    protected override string Predict(string item, CancellationToken cancellationToken) =>
        string.Concat(Enumerable.Repeat($"{_settings.Greeting} {item};", _settings.Repeat));
}

public sealed class ModelFailure(string message) : Exception(message);

/// <summary>Throws its own exception type for items starting with "bad".</summary>
public sealed class PickyModel : AsyncModel<string, string>
{
    protected override ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken) =>
        item.StartsWith("bad", StringComparison.Ordinal) ? throw new ModelFailure($"cannot handle {item}") : ValueTask.FromResult(item);
}

/// <summary>Calls its dependency "inner" through the sync gateway (sync → either).</summary>
public sealed class SyncCaller : Model<string, string>
{
    private ISyncModelClient<string, string> _inner = null!;

    protected override void Load(ModelContext context) => _inner = context.SyncDependency<string, string>("inner");

    protected override string Predict(string item, CancellationToken cancellationToken) => $"sync({_inner.Predict(item, cancellationToken)})";
}

/// <summary>Calls its dependency "inner" by awaiting (async → either).</summary>
public sealed class AsyncCaller : AsyncModel<string, string>
{
    private IModelClient<string, string> _inner = null!;

    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _inner = context.Dependency<string, string>("inner");
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken) =>
        $"async({await _inner.PredictAsync(item, cancellationToken)})";
}

public sealed class SyncLeaf : Model<string, string>
{
    protected override string Predict(string item, CancellationToken cancellationToken) => $"s:{item}";
}

public sealed class AsyncLeaf : AsyncModel<string, string>
{
    protected override async ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return $"a:{item}";
    }
}

/// <summary>Streams each item's characters through its dependency "inner" and joins the results.</summary>
public sealed class StreamingCaller : AsyncModel<string, string>
{
    private IModelClient<string, string> _inner = null!;

    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _inner = context.Dependency<string, string>("inner");
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        await foreach (var part in _inner.PredictStream(item.Select(c => c.ToString()), batchSize: 2, cancellationToken))
        {
            parts.Add(part);
        }

        return string.Join("|", parts);
    }
}

/// <summary>Counts constructions and loads across the process, per configuration name.</summary>
public sealed class CountingModel : AsyncModel<string, string>
{
    public static readonly ConcurrentDictionary<string, int> LoadsByName = new();

    private string _name = string.Empty;

    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _name = context.Name;
        LoadsByName.AddOrUpdate(context.Name, 1, (_, n) => n + 1);
        return ValueTask.CompletedTask;
    }

    protected override ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken) => ValueTask.FromResult($"{_name}:{item}");
}
