namespace ModelActors.Onnx;

/// <summary>The inputs and outputs of a loaded tensor model (an <see cref="OnnxModel"/>), as its metadata describes them.</summary>
/// <param name="Inputs">The inputs, in the model's order.</param>
/// <param name="Outputs">The outputs, in the model's order.</param>
/// <remarks>Read it with <see cref="OnnxLibraryExtensions.GetTensorSignature"/>; servers use it to describe and check tensor requests.</remarks>
public sealed record TensorSignature(IReadOnlyList<NodeMetadata> Inputs, IReadOnlyList<NodeMetadata> Outputs)
{
    /// <summary>
    /// Whether every input and output is batched along its first axis (the form Triton's <c>max_batch_size</c>
    /// describes); false when the model batches some input or output along another axis (<c>BatchAxes</c>,
    /// <c>OutputBatchAxes</c>) or passes one once for the whole batch (<c>SharedInputs</c>).
    /// <value>The default is true.</value>
    /// </summary>
    public bool BatchedOnFirstAxis { get; init; } = true;
}
