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
