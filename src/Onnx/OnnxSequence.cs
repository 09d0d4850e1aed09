using System.Collections;

namespace ModelActors.Onnx;

/// <summary>
/// A sequence of tensors of one element type (ONNX's <c>seq(tensor(T))</c>): each tensor may have its own
/// shape. A model input sequence must hold at least one tensor: ONNX Runtime's managed API cannot create an
/// empty one (the model may still return one).
/// </summary>
/// <example><code>var words = OnnxSequence.Create(OnnxTensor.Create(new[] { 1f, 2 }, 2), OnnxTensor.Create(new[] { 3f }, 1));</code></example>
public sealed class OnnxSequence : OnnxValue, IReadOnlyList<OnnxTensor>
{
    private readonly OnnxTensor[] _tensors;

    private OnnxSequence(TensorElementType elementType, OnnxTensor[] tensors)
    {
        ElementType = elementType;
        _tensors = tensors;
    }

    /// <inheritdoc />
    public override OnnxValueKind Kind => OnnxValueKind.Sequence;

    /// <summary>The element type of every tensor in the sequence.</summary>
    public TensorElementType ElementType { get; }

    /// <inheritdoc />
    public int Count => _tensors.Length;

    /// <inheritdoc />
    public OnnxTensor this[int index] => _tensors[index];

    /// <summary>A sequence of <paramref name="tensors"/> (at least one; all of one element type).</summary>
    /// <param name="tensors">The tensors, in order.</param>
    /// <returns>The sequence.</returns>
    /// <exception cref="ArgumentException">No tensor was given, one is null, or their element types differ.</exception>
    public static OnnxSequence Create(params OnnxTensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0)
        {
            throw new ArgumentException("A sequence needs at least one tensor (its element type comes from them); use Empty(elementType) for an empty one.", nameof(tensors));
        }

        return Of(tensors[0]?.ElementType ?? throw new ArgumentException("Tensor 0 of the sequence is null.", nameof(tensors)), tensors);
    }

    /// <summary>An empty sequence of <paramref name="elementType"/> tensors (what a model may return; not accepted as an input).</summary>
    /// <param name="elementType">The element type.</param>
    /// <returns>The sequence.</returns>
    public static OnnxSequence Empty(TensorElementType elementType) => new(elementType, []);

    /// <inheritdoc />
    public IEnumerator<OnnxTensor> GetEnumerator() => ((IEnumerable<OnnxTensor>)_tensors).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _tensors.GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"seq({ElementType}) of {Count}";

    /// <summary>A sequence of <paramref name="elementType"/> holding <paramref name="tensors"/>, checked.</summary>
    internal static OnnxSequence Of(TensorElementType elementType, OnnxTensor[] tensors)
    {
        for (var i = 0; i < tensors.Length; i++)
        {
            var tensor = tensors[i] ?? throw new ArgumentException($"Tensor {i} of the sequence is null.", nameof(tensors));
            if (tensor.ElementType != elementType)
            {
                throw new ArgumentException($"Tensor {i} of the sequence holds {tensor.ElementType} elements, but the sequence holds {elementType}.", nameof(tensors));
            }
        }

        return new OnnxSequence(elementType, [.. tensors]);
    }
}
