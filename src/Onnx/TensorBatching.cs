using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Onnx;

/// <summary>Concatenates tensors along an axis, splits them back, and pads them: the array work behind <see cref="OnnxModel"/>'s batches.</summary>
internal static class TensorBatching
{
    /// <summary>Concatenates <paramref name="parts"/> (equal shapes except on <paramref name="axis"/>) along <paramref name="axis"/>.</summary>
    /// <param name="parts">The tensors, all of one element type.</param>
    /// <param name="axis">The axis to concatenate along.</param>
    /// <param name="reuse">An array of that element type to write into when it has exactly the result's length (it is overwritten whole); otherwise a new one is made.</param>
    public static OnnxTensor Concat(OnnxTensor[] parts, int axis, Array? reuse = null)
    {
        var first = parts[0];
        var shape = first.Shape.ToArray();
        shape[axis] = 0;
        foreach (var part in parts)
        {
            shape[axis] += part.Shape[axis];
        }

        var outer = Product(shape, 0, axis);
        var inner = Product(shape, axis + 1, shape.Length);
        var count = Product(shape, 0, shape.Length);
        var bytes = first.ElementType == TensorElementType.String && Array.Exists(parts, p => p.Data is byte[][]);
        var sources = bytes ? Array.ConvertAll(parts, p => p.GetBytes()) : null; // text joins raw bytes as UTF-8
        var data = bytes ? new byte[count][]
            : reuse is not null && reuse.LongLength == count && reuse.GetType() == first.Data.GetType() ? reuse
            : TensorElementTypes.NewArray(first.ElementType, count, filledLater: true);
        var target = 0L;
        for (var o = 0L; o < outer; o++)
        {
            for (var p = 0; p < parts.Length; p++)
            {
                var block = parts[p].Shape[axis] * inner;
                Array.Copy(sources?[p] ?? parts[p].Data, o * block, data, target, block);
                target += block;
            }
        }

        return OnnxTensor.FromNative(first.ElementType, shape, data);
    }

    /// <summary>The part of <paramref name="whole"/> from <paramref name="start"/> with extent <paramref name="size"/> along <paramref name="axis"/> (copied).</summary>
    public static OnnxTensor Slice(OnnxTensor whole, int axis, long start, long size)
    {
        var shape = whole.Shape.ToArray();
        var outer = Product(shape, 0, axis);
        var inner = Product(shape, axis + 1, shape.Length);
        var extent = shape[axis];
        shape[axis] = size;
        var data = whole.Data is byte[][] ? new byte[outer * size * inner][] : TensorElementTypes.NewArray(whole.ElementType, outer * size * inner, filledLater: true);
        var block = size * inner;
        for (var o = 0L; o < outer; o++)
        {
            Array.Copy(whole.Data, ((o * extent) + start) * inner, data, o * block, block);
        }

        // An item's raw bytes are text again when all of its own elements are: what it gets back does not depend on
        // the other items it was batched with.
        return OnnxTensor.FromNative(whole.ElementType, shape, data is byte[][] raw ? TextIfValid(raw) : data);
    }

    /// <summary>Pads <paramref name="tensor"/> with <paramref name="padValue"/> up to <paramref name="shape"/> (every dimension at least as large).</summary>
    public static OnnxTensor Pad(OnnxTensor tensor, long[] shape, double padValue)
    {
        if (tensor.Shape.SequenceEqual(shape))
        {
            return tensor;
        }

        var elementType = tensor.Data.GetType().GetElementType()!;
        var data = tensor.Data is byte[][] ? new byte[Product(shape, 0, shape.Length)][] : TensorElementTypes.NewArray(tensor.ElementType, Product(shape, 0, shape.Length));
        var fill = PadValue(elementType, padValue);
        if (fill is not null && !Equals(fill, elementType.IsValueType ? Activator.CreateInstance(elementType) : null))
        {
            for (var i = 0; i < data.Length; i++)
            {
                data.SetValue(fill, i);
            }
        }

        // Copy each innermost row of the source into its place in the padded target.
        var rank = shape.Length;
        var source = tensor.Shape.ToArray();
        var rowLength = rank == 0 ? 1 : source[rank - 1];
        var rows = Product(source, 0, Math.Max(0, rank - 1));
        var index = new long[Math.Max(0, rank - 1)];
        for (var r = 0L; r < rows; r++)
        {
            var offset = 0L;
            for (var d = 0; d < index.Length; d++)
            {
                offset = (offset * shape[d]) + index[d];
            }

            Array.Copy(tensor.Data, r * rowLength, data, rank == 0 ? 0 : offset * shape[rank - 1], rowLength);
            for (var d = index.Length - 1; d >= 0; d--)
            {
                if (++index[d] < source[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        return OnnxTensor.FromNative(tensor.ElementType, shape, data);
    }

    /// <summary><paramref name="elements"/> as strings when every one is UTF-8 text, else as they are.</summary>
    internal static Array TextIfValid(byte[][] elements) =>
        Array.TrueForAll(elements, e => System.Text.Unicode.Utf8.IsValid(e))
            ? Array.ConvertAll(elements, e => System.Text.Encoding.UTF8.GetString(e))
            : elements;

    private static object? PadValue(Type elementType, double value) =>
        elementType == typeof(string) ? string.Empty
        : elementType == typeof(byte[]) ? Array.Empty<byte>()
        : elementType == typeof(Half) ? (Half)value
        : elementType == typeof(BFloat16) ? (BFloat16)(float)value
        : elementType == typeof(bool) ? value != 0
        : Convert.ChangeType(value, elementType, System.Globalization.CultureInfo.InvariantCulture);

    private static long Product(long[] shape, int from, int to)
    {
        var product = 1L;
        for (var i = from; i < to; i++)
        {
            product *= shape[i];
        }

        return product;
    }
}
