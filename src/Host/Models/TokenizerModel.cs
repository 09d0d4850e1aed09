namespace ModelActors.Host.Models;

/// <summary>Splits text into lower-case word tokens: a sync batch model (runs on its own threads).</summary>
public sealed class TokenizerModel : Model<string, string[]>
{
    private static readonly char[] Separators = [' ', '\t', '\n', '\r', '.', ',', ';', ':', '!', '?', '"', '(', ')'];

    /// <inheritdoc />
    protected override IReadOnlyList<string[]> PredictBatch(IReadOnlyList<string> items, CancellationToken cancellationToken) =>
        [.. items.Select(text => text.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries))];
}
