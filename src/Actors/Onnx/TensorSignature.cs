namespace ModelActors.Onnx;

/// <summary>The inputs and outputs of a loaded tensor model (an <see cref="OnnxModel"/>), as its metadata describes them.</summary>
/// <param name="Inputs">The inputs, in the model's order.</param>
/// <param name="Outputs">The outputs, in the model's order.</param>
/// <remarks>Read it with <see cref="ModelLibrary.GetTensorSignature"/>; servers use it to describe and check tensor requests.</remarks>
public sealed record TensorSignature(IReadOnlyList<NodeMetadata> Inputs, IReadOnlyList<NodeMetadata> Outputs);

/// <summary>A loaded model that knows its tensor signature (the library records it when a replica has loaded).</summary>
internal interface ITensorSignatureSource
{
    /// <summary>The signature, fixed at load.</summary>
    TensorSignature Signature { get; }
}
