// The README's quickstart as a package consumer writes it: C# models only, ModelActors from its package.
using ModelActors;

await using var library = ModelLibrary.CreateBuilder().AddModel<WordCount>().Build();
await library.LoadAsync();
Console.WriteLine($"word-count: {await library.Get<string, int>("word-count").PredictAsync("The quick brown fox")}");

/// <summary>Counts the words of a text.</summary>
[ModelConfiguration("word-count")]
public sealed class WordCount : Model<string, int>
{
    /// <inheritdoc />
    protected override int Predict(string item, CancellationToken cancellationToken) =>
        item.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
