using System.Runtime.InteropServices;
using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Onnx.Runtime;

/// <summary>
/// Moves values across the boundary: managed input tensors become <c>OrtValue</c>s over pinned arrays (no copy;
/// one path for every fixed-size type, <see cref="Half"/> and the package's <see cref="Ort.BFloat16"/> included) or
/// ORT-owned string tensors, sequences are built from those; outputs ONNX Runtime allocated are copied into managed arrays.
/// </summary>
internal static class OrtValues
{
    /// <summary>A value for <paramref name="tensor"/>; for numeric tensors <paramref name="pin"/> holds the array pinned until the value is disposed.</summary>
    public static Ort.OrtValue ToOrt(OnnxTensor tensor, out GCHandle pin)
    {
        pin = default;
        var shape = tensor.ShapeArray; // ONNX Runtime copies the dimensions into the value
        if (tensor.ElementType == TensorElementType.String)
        {
            var value = Ort.OrtValue.CreateTensorWithEmptyStrings(Ort.OrtAllocator.DefaultInstance, shape);
            try
            {
                if (tensor.Data is byte[][] bytes)
                {
                    // Raw bytes go in as they are (ONNX Runtime's strings are byte strings).
                    for (var i = 0; i < bytes.Length; i++)
                    {
                        value.StringTensorSetElementAt((ReadOnlySpan<byte>)(bytes[i] ?? throw new ArgumentException($"String tensor element {i} is null.")), i);
                    }

                    return value;
                }

                var strings = (string[])tensor.Data;
                for (var i = 0; i < strings.Length; i++)
                {
                    value.StringTensorSetElementAt((strings[i] ?? throw new ArgumentException($"String tensor element {i} is null.")).AsSpan(), i);
                }

                return value;
            }
            catch
            {
                value.Dispose();
                throw;
            }
        }

        pin = GCHandle.Alloc(tensor.Data, GCHandleType.Pinned);
        try
        {
            var bytes = tensor.Data.LongLength * ElementSize(tensor.ElementType);
            return Ort.OrtValue.CreateTensorValueWithData(
                Ort.OrtMemoryInfo.DefaultInstance, (Ort.Tensors.TensorElementType)(int)tensor.ElementType, shape, pin.AddrOfPinnedObject(), bytes);
        }
        catch
        {
            pin.Free();
            pin = default;
            throw;
        }
    }

    /// <summary>
    /// A value for <paramref name="value"/> (a tensor, or a sequence of tensors, which takes its tensors'
    /// values over); every array pinned for it is added to <paramref name="pins"/>, to be freed after the value is disposed.
    /// </summary>
    public static Ort.OrtValue ToOrt(OnnxValue value, List<GCHandle> pins)
    {
        if (value is OnnxTensor tensor)
        {
            var result = ToOrt(tensor, out var pin);
            if (pin.IsAllocated)
            {
                pins.Add(pin);
            }

            return result;
        }

        var sequence = (OnnxSequence)value;
        var items = new List<Ort.OrtValue>(sequence.Count);
        try
        {
            foreach (var item in sequence)
            {
                items.Add(ToOrt(item, pins));
            }

            return Ort.OrtValue.CreateSequence(items); // takes the items over (and clears the list) on success
        }
        finally
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }

    /// <summary>Disposes every value made for a run, then unpins the arrays under them.</summary>
    public static void Release(IEnumerable<Ort.OrtValue?> values, IEnumerable<GCHandle> pins)
    {
        foreach (var value in values)
        {
            value?.Dispose();
        }

        foreach (var pin in pins)
        {
            if (pin.IsAllocated)
            {
                pin.Free();
            }
        }
    }

    /// <summary>Copies an output of any supported kind into managed memory, as <paramref name="metadata"/> declares it.</summary>
    public static OnnxValue FromOrt(Ort.OrtValue value, NodeMetadata metadata)
    {
        if (metadata.Kind == OnnxValueKind.Optional)
        {
            return value.OnnxType is Ort.OnnxValueType.ONNX_TYPE_OPTIONAL or Ort.OnnxValueType.ONNX_TYPE_UNKNOWN
                ? OnnxOptional.None
                : OnnxOptional.Of(FromOrt(value, metadata.Element!));
        }

        switch (value.OnnxType)
        {
            case Ort.OnnxValueType.ONNX_TYPE_TENSOR:
                return FromOrt(value, metadata.Name);
            case Ort.OnnxValueType.ONNX_TYPE_SEQUENCE:
                var count = value.GetValueCount();
                var tensors = new OnnxTensor[count];
                for (var i = 0; i < count; i++)
                {
                    using var item = value.GetValue(i, Ort.OrtAllocator.DefaultInstance);
                    if (!item.IsTensor)
                    {
                        throw new NotSupportedException($"Output '{metadata.Name}' is a sequence of {item.OnnxType} values; only sequences of tensors are supported.");
                    }

                    tensors[i] = FromOrt(item, $"{metadata.Name}[{i}]");
                }

                return count == 0 ? OnnxSequence.Empty(metadata.ElementType) : OnnxSequence.Of(tensors[0].ElementType, tensors);
            default:
                throw new NotSupportedException($"Output '{metadata.Name}' is a {value.OnnxType}; tensors, sequences of tensors and optionals of them are supported.");
        }
    }

    /// <summary>Copies an output tensor into managed memory.</summary>
    public static OnnxTensor FromOrt(Ort.OrtValue value, string name)
    {
        if (!value.IsTensor)
        {
            throw new NotSupportedException($"Output '{name}' is not a tensor ({value.OnnxType}); only tensor outputs are supported.");
        }

        var info = value.GetTensorTypeAndShape();
        var elementType = (int)info.ElementDataType;
        if (!TensorElementTypes.IsSupported(elementType))
        {
            throw new NotSupportedException($"Output '{name}' has element type {info.ElementDataType}, which is not supported.");
        }

        var type = (TensorElementType)elementType;
        var shape = info.Shape;
        var count = info.ElementCount;
        if (type == TensorElementType.String)
        {
            return OnnxTensor.FromNative(type, shape, count == 0 ? Array.Empty<string>() : Strings(value, (int)count));
        }

        var array = TensorElementTypes.NewArray(type, count, filledLater: true);
        if (count > 0)
        {
            var source = value.GetTensorMutableRawData();
            var target = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), checked((int)(count * ElementSize(type))));
            source[..target.Length].CopyTo(target);
        }

        return OnnxTensor.FromNative(type, shape, array);
    }

    /// <summary>
    /// A string output's elements: <c>string[]</c> when every element is UTF-8 text, else <c>byte[][]</c> holding each
    /// element's bytes as they are (decoding would replace each invalid byte with U+FFFD: silent corruption).
    /// </summary>
    private static Array Strings(Ort.OrtValue value, int count)
    {
        var strings = new string[count];
        for (var i = 0; i < count; i++)
        {
            var bytes = value.GetStringElementAsSpan(i);
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                var raw = new byte[count][];
                for (var j = 0; j < count; j++)
                {
                    raw[j] = value.GetStringElementAsSpan(j).ToArray();
                }

                return raw;
            }

            strings[i] = System.Text.Encoding.UTF8.GetString(bytes);
        }

        return strings;
    }

    public static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
        _ => throw new NotSupportedException($"Element type {type} has no fixed size."),
    };
}
