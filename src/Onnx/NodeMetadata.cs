namespace ModelActors.Onnx;

/// <summary>An input or output of a model as its metadata describes it.</summary>
/// <param name="Name">The name.</param>
/// <param name="IsTensor">Whether it is a tensor of a supported element type.</param>
/// <param name="ElementType">The element type (of the tensors inside, for a sequence or an optional).</param>
/// <param name="Dimensions">The dimensions (of the tensor inside, for a sequence or an optional); -1 for a symbolic or unknown one.</param>
/// <param name="SymbolicDimensions">The names of symbolic dimensions ("" for fixed ones).</param>
public sealed record NodeMetadata(string Name, bool IsTensor, TensorElementType ElementType, IReadOnlyList<long> Dimensions, IReadOnlyList<string> SymbolicDimensions)
{
    /// <summary>What kind of value it is: a tensor unless the model says otherwise.</summary>
    public OnnxValueKind Kind { get; init; } = OnnxValueKind.Tensor;

    /// <summary>For a sequence, its elements' metadata; for an optional, the metadata of the value it may hold; otherwise null.</summary>
    public NodeMetadata? Element { get; init; }

    /// <summary>The rank.</summary>
    public int Rank => Dimensions.Count;

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {TypeText()}";

    private string TypeText() => Kind switch
    {
        OnnxValueKind.Sequence => $"seq({Element?.TypeText()})",
        OnnxValueKind.Optional => $"optional({Element?.TypeText()})",
        OnnxValueKind.Tensor => $"{ElementType}[{string.Join(", ", Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]",
        _ => Kind.ToString(),
    };
}
