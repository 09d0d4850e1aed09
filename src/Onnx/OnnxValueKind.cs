namespace ModelActors.Onnx;

/// <summary>The kinds of <see cref="OnnxValue"/>, and of a model's inputs and outputs (<see cref="NodeMetadata.Kind"/>).</summary>
public enum OnnxValueKind
{
    /// <summary>Anything else ONNX Runtime reports (opaque values, sparse tensors); not passed.</summary>
    Other = 0,

    /// <summary>A dense tensor (<see cref="OnnxTensor"/>).</summary>
    Tensor = 1,

    /// <summary>A sequence of tensors (<see cref="OnnxSequence"/>).</summary>
    Sequence = 2,

    /// <summary>A map; ModelActors does not pass maps.</summary>
    Map = 3,

    /// <summary>An optional value (<see cref="OnnxOptional"/>).</summary>
    Optional = 6,
}
