namespace ModelActors.Onnx;

/// <summary>
/// An input or output a model's configuration declares (as a Triton <c>config.pbtxt</c> does): <see cref="OnnxModel"/>
/// checks it against the ONNX file when it loads, and a mismatch is a load error naming both.
/// </summary>
public sealed class TensorDeclaration
{
    /// <summary>The input's or output's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; set; }

    /// <summary>The dimensions, the batch axis included when the model batches; -1 for a dimension of any size.</summary>
    public List<long> Dimensions { get; set; } = [];

    /// <summary>
    /// The dimensions the ONNX file has, when they differ from <see cref="Dimensions"/> (Triton's <c>reshape</c>): callers
    /// send and get <see cref="Dimensions"/>, the file takes and gives these, the same elements in the same order (-1: the
    /// caller's size at that axis). <value>The default is none (the file has <see cref="Dimensions"/>).</value>
    /// </summary>
    public List<long> Reshape { get; set; } = [];

    /// <summary>As a configuration writes it: <c>name: Float[-1, 784]</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Name}: {ElementType}[{string.Join(", ", Dimensions)}]";
}
