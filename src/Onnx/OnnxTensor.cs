namespace ModelActors.Onnx;

/// <summary>
/// A dense tensor in managed memory: an element type, a shape and a flat row-major array. Inputs are
/// pinned (not copied) for the duration of a run; outputs are written into managed arrays (or copied out of native memory), so an
/// <see cref="OnnxTensor"/> never holds a native handle and needs no disposal.
/// </summary>
public sealed class OnnxTensor : OnnxValue
{
    private readonly long[] _shape;

    private OnnxTensor(TensorElementType elementType, long[] shape, Array data)
    {
        ElementType = elementType;
        _shape = shape;
        Data = data;
    }

    /// <inheritdoc />
    public override OnnxValueKind Kind => OnnxValueKind.Tensor;

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions (a scalar has none).</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The dimensions as the array they are kept in, for ONNX Runtime to read (never written).</summary>
    internal long[] ShapeArray => _shape;

    /// <summary>
    /// The elements, row-major: a <c>float[]</c>, <c>long[]</c>, ... A <see cref="TensorElementType.String"/> tensor holds a
    /// <c>string[]</c>, or a <c>byte[][]</c> when its elements are bytes that are not all UTF-8 text (the v2 protocol's
    /// BYTES are arbitrary bytes; ONNX Runtime's strings too): such elements are kept byte for byte, never rewritten.
    /// </summary>
    public Array Data { get; }

    /// <summary>The number of elements (the product of the dimensions).</summary>
    public long ElementCount => Data.LongLength;

    /// <summary>A tensor over <paramref name="data"/> (not copied) with shape <paramref name="shape"/>.</summary>
    /// <typeparam name="T">float, double, Half, BFloat16 (ONNX Runtime's <c>Microsoft.ML.OnnxRuntime.BFloat16</c>), sbyte, short, int, long, byte, ushort, uint, ulong, bool, or string or byte[] (a string tensor of text, or of raw bytes).</typeparam>
    /// <param name="data">The elements, row-major.</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    /// <returns>The tensor.</returns>
    public static OnnxTensor Create<T>(T[] data, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var type = TensorElementTypes.FromClrType(typeof(T));
        var count = 1L;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Tensor dimensions must not be negative (shape [{string.Join(", ", shape)}]).", nameof(shape));
            }

            count *= dim;
        }

        if (count != data.LongLength)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {count} elements, but {data.LongLength} were given.", nameof(data));
        }

        return new OnnxTensor(type, [.. shape], data);
    }

    /// <summary>A scalar (rank 0) tensor.</summary>
    /// <typeparam name="T">A supported element type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The tensor.</returns>
    public static OnnxTensor Scalar<T>(T value) => Create([value]);

    /// <summary>The elements as <typeparamref name="T"/>[] (no copy).</summary>
    /// <typeparam name="T">The element's .NET type.</typeparam>
    /// <returns>The array.</returns>
    /// <exception cref="InvalidCastException">The tensor holds another element type.</exception>
    public T[] GetData<T>() => Data as T[] ?? throw new InvalidCastException($"The tensor holds {ElementType} elements, not {typeof(T).Name}.");

    /// <summary>
    /// A string tensor over byte elements (the v2 protocol's BYTES): it holds strings when every element is UTF-8 text
    /// (what text models expect), else the bytes as they are (decoding would replace invalid bytes with U+FFFD).
    /// </summary>
    /// <param name="elements">The elements' bytes, row-major.</param>
    /// <param name="shape">The dimensions; their product must equal the number of elements.</param>
    /// <returns>The tensor.</returns>
    public static OnnxTensor FromBytes(byte[][] elements, params long[] shape) =>
        TensorBatching.TextIfValid(elements) is string[] text ? Create(text, shape) : Create(elements, shape);

    /// <summary>The elements of a string tensor as bytes: its <c>byte[][]</c> as it is, or its strings encoded as UTF-8.</summary>
    /// <returns>One byte array per element.</returns>
    /// <exception cref="InvalidCastException">The tensor is not a string tensor.</exception>
    public byte[][] GetBytes() => Data switch
    {
        byte[][] bytes => bytes,
        string[] strings => [.. strings.Select(s => System.Text.Encoding.UTF8.GetBytes(s))],
        _ => throw new InvalidCastException($"The tensor holds {ElementType} elements, not strings or bytes."),
    };

    /// <inheritdoc />
    public override string ToString() => $"{ElementType}[{string.Join(", ", Shape)}]";

    internal static OnnxTensor FromNative(TensorElementType type, long[] shape, Array data) => new(type, shape, data);
}
