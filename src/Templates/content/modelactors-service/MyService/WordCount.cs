using ModelActors;

namespace MyService;

/// <summary>Counts the words of a text: a C# model. Replace it with yours (or add more: every [ModelConfiguration] class of this assembly is served).</summary>
[ModelConfiguration("word-count")]
public sealed class WordCount : Model<string, int>
{
    /// <inheritdoc />
    protected override int Predict(string item, CancellationToken cancellationToken) =>
        item.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
