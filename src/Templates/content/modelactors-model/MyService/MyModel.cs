using ModelActors;

namespace MyService;

/// <summary>A model: replace the item and result types and the prediction with yours.</summary>
[ModelConfiguration("mymodel")]
public sealed class MyModel : Model<string, string>
{
    /// <inheritdoc />
    protected override string Predict(string item, CancellationToken cancellationToken) => item.ToUpperInvariant();
}
