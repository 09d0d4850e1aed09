namespace ModelActors.Onnx;

/// <summary>The inputs and outputs of a loaded tensor model (an <see cref="OnnxModel"/>), as its metadata describes them.</summary>
/// <param name="Inputs">The inputs, in the model's order.</param>
/// <param name="Outputs">The outputs, in the model's order.</param>
/// <remarks>Read it with <see cref="OnnxLibraryExtensions.GetTensorSignature"/>; servers use it to describe and check tensor requests.</remarks>
public sealed record TensorSignature(IReadOnlyList<NodeMetadata> Inputs, IReadOnlyList<NodeMetadata> Outputs);
