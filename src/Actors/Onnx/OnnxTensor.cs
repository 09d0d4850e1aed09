namespace ModelActors.Onnx;

/// <summary>
/// A dense tensor in managed memory: an element type, a shape and a flat row-major array. Inputs are
/// pinned (not copied) for the duration of a run; outputs are copied out of native memory, so an
/// <see cref="OnnxTensor"/> never holds a native handle and needs no disposal.
/// </summary>
public sealed class OnnxTensor : OnnxValue
{
    private OnnxTensor(TensorElementType elementType, long[] shape, Array data)
    {
        ElementType = elementType;
        Shape = shape;
        Data = data;
    }

    /// <inheritdoc />
    public override OnnxValueKind Kind => OnnxValueKind.Tensor;

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions (a scalar has none).</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The elements, row-major: a <c>float[]</c>, <c>long[]</c>, <c>string[]</c>, ...</summary>
    public Array Data { get; }

    /// <summary>The number of elements (the product of the dimensions).</summary>
    public long ElementCount => Data.LongLength;

    /// <summary>A tensor over <paramref name="data"/> (not copied) with shape <paramref name="shape"/>.</summary>
    /// <typeparam name="T">float, double, Half, BFloat16 (ONNX Runtime's <c>Microsoft.ML.OnnxRuntime.BFloat16</c>), sbyte, short, int, long, byte, ushort, uint, ulong, bool or string.</typeparam>
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

    /// <inheritdoc />
    public override string ToString() => $"{ElementType}[{string.Join(", ", Shape)}]";

    internal static OnnxTensor FromNative(TensorElementType type, long[] shape, Array data) => new(type, shape, data);
}
