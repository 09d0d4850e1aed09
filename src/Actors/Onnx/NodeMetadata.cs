namespace ModelActors.Onnx;

/// <summary>An input or output of a model as its metadata describes it.</summary>
/// <param name="Name">The name.</param>
/// <param name="IsTensor">Whether it is a tensor (sequences, maps and optionals are not supported as inputs).</param>
/// <param name="ElementType">The element type.</param>
/// <param name="Dimensions">The dimensions; -1 for a symbolic or unknown one.</param>
/// <param name="SymbolicDimensions">The names of symbolic dimensions ("" for fixed ones).</param>
public sealed record NodeMetadata(string Name, bool IsTensor, TensorElementType ElementType, IReadOnlyList<long> Dimensions, IReadOnlyList<string> SymbolicDimensions)
{
    /// <summary>The rank.</summary>
    public int Rank => Dimensions.Count;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {ElementType}[{string.Join(", ", Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]";
}
