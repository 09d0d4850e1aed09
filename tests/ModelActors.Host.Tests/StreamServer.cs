namespace ModelActors.Host.Tests;

/// <summary>The host on Kestrel with two test models: <c>gate</c> (<see cref="GateModel"/>) and <c>picky</c> (<see cref="PickyModel"/>).</summary>
public sealed class StreamServer : KestrelServer
{
    /// <inheritdoc />
    protected override IEnumerable<(string Key, string? Value)> Settings =>
    [
        ("ModelActors:Models:gate:Type", typeof(GateModel).FullName),
        ("ModelActors:Models:picky:Type", typeof(PickyModel).FullName),
    ];
}

/// <summary>Upper-cases its items, and fails on "boom" with a message naming it.</summary>
public sealed class PickyModel : AsyncModel<string, string>
{
    /// <inheritdoc />
    protected override ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken) =>
        item == "boom" ? throw new InvalidOperationException("cannot take 'boom'") : ValueTask.FromResult(item.ToUpperInvariant());
}
