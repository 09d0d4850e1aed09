namespace ModelActors.Onnx;

/// <summary>
/// A value ONNX Runtime takes or returns: an <see cref="OnnxTensor"/>, an <see cref="OnnxSequence"/> of
/// tensors, or an <see cref="OnnxOptional"/> holding one of those or nothing. All live in managed memory
/// and need no disposal. <see cref="InferenceSession.Run(IReadOnlyDictionary{string, OnnxValue}, IReadOnlyList{string}?, CancellationToken)"/>
/// takes and returns them; <see cref="OnnxModel"/> batches tensors only.
/// </summary>
public abstract class OnnxValue
{
    private protected OnnxValue()
    {
    }

    /// <summary>What kind of value this is.</summary>
    public abstract OnnxValueKind Kind { get; }
}

/// <summary>The kinds of <see cref="OnnxValue"/>, and of a model's inputs and outputs (<see cref="NodeMetadata.Kind"/>).</summary>
public enum OnnxValueKind
{
    /// <summary>A dense tensor (<see cref="OnnxTensor"/>).</summary>
    Tensor = 1,

    /// <summary>A sequence of tensors (<see cref="OnnxSequence"/>).</summary>
    Sequence = 2,

    /// <summary>A map; ModelActors does not pass maps.</summary>
    Map = 3,

    /// <summary>An optional value (<see cref="OnnxOptional"/>).</summary>
    Optional = 6,

    /// <summary>Anything else ONNX Runtime reports (opaque values, sparse tensors); not passed.</summary>
    Other = 0,
}
