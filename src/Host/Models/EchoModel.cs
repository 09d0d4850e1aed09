namespace ModelActors.Host.Models;

/// <summary>Answers each text with itself: the smallest async model, for smoke tests and latency checks.</summary>
public sealed class EchoModel : AsyncModel<string, string>
{
    /// <inheritdoc />
    protected override ValueTask<string> PredictAsync(string item, CancellationToken cancellationToken) => ValueTask.FromResult(item);
}
