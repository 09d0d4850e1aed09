using System.Runtime.InteropServices;

namespace ModelActors.Onnx.Native;

/// <summary>Moves tensors across the boundary: managed inputs become native values over pinned arrays (or ORT-owned string tensors); native outputs are copied into managed arrays.</summary>
internal static unsafe class TensorMarshal
{
    /// <summary>Makes a native value for <paramref name="tensor"/>. For numeric tensors <paramref name="pin"/> holds the array pinned until the value is released.</summary>
    public static nint ToNative(OnnxTensor tensor, out GCHandle pin)
    {
        pin = default;
        var shape = tensor.Shape.ToArray();
        nint value = 0;
        fixed (long* dims = shape)
        {
            if (tensor.ElementType == TensorElementType.String)
            {
                OrtApi.Check(OrtApi.CreateTensorAsOrtValue(OrtEnvironment.Allocator, dims, (nuint)shape.Length, (int)TensorElementType.String, &value));
                try
                {
                    FillStrings(value, (string[])tensor.Data);
                }
                catch
                {
                    OrtApi.ReleaseValue(value);
                    throw;
                }

                return value;
            }

            pin = GCHandle.Alloc(tensor.Data, GCHandleType.Pinned);
            try
            {
                var bytes = (nuint)(tensor.Data.LongLength * ElementSize(tensor.ElementType));
                OrtApi.Check(OrtApi.CreateTensorWithDataAsOrtValue(OrtEnvironment.CpuMemory, (void*)pin.AddrOfPinnedObject(), bytes, dims, (nuint)shape.Length, (int)tensor.ElementType, &value));
                return value;
            }
            catch
            {
                pin.Free();
                pin = default;
                throw;
            }
        }
    }

    /// <summary>Copies a native output tensor into managed memory.</summary>
    public static OnnxTensor FromNative(nint value, string name)
    {
        int onnxType;
        OrtApi.Check(OrtApi.GetValueType(value, &onnxType));
        if (onnxType != 1)
        {
            throw new NotSupportedException($"Output '{name}' is not a tensor (ONNX type {onnxType}); only tensor outputs are supported.");
        }

        nint info;
        OrtApi.Check(OrtApi.GetTensorTypeAndShape(value, &info));
        int elementType;
        long[] shape;
        try
        {
            OrtApi.Check(OrtApi.GetTensorElementType(info, &elementType));
            nuint rank;
            OrtApi.Check(OrtApi.GetDimensionsCount(info, &rank));
            shape = new long[(int)rank];
            fixed (long* dims = shape)
            {
                OrtApi.Check(OrtApi.GetDimensions(info, dims, rank));
            }
        }
        finally
        {
            OrtApi.ReleaseTensorTypeAndShapeInfo(info);
        }

        if (!TensorElementTypes.IsSupported(elementType))
        {
            throw new NotSupportedException($"Output '{name}' has element type {elementType}, which is not supported.");
        }

        var type = (TensorElementType)elementType;
        var count = 1L;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        if (type == TensorElementType.String)
        {
            return OnnxTensor.FromNative(type, shape, ReadStrings(value, count));
        }

        var array = TensorElementTypes.NewArray(type, count, filledLater: true);
        if (count > 0)
        {
            void* data;
            OrtApi.Check(OrtApi.GetTensorMutableData(value, &data));
            var bytes = count * ElementSize(type);
            fixed (byte* target = &MemoryMarshal.GetArrayDataReference(array))
            {
                Buffer.MemoryCopy(data, target, bytes, bytes);
            }
        }

        return OnnxTensor.FromNative(type, shape, array);
    }

    public static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
        _ => throw new NotSupportedException($"Element type {type} has no fixed size."),
    };

    private static void FillStrings(nint value, string[] strings)
    {
        var pointers = new nint[strings.Length];
        try
        {
            for (var i = 0; i < strings.Length; i++)
            {
                pointers[i] = Marshal.StringToCoTaskMemUTF8(strings[i] ?? throw new ArgumentException($"String tensor element {i} is null."));
            }

            fixed (nint* p = pointers)
            {
                OrtApi.Check(OrtApi.FillStringTensor(value, p, (nuint)pointers.Length));
            }
        }
        finally
        {
            foreach (var pointer in pointers)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    private static string[] ReadStrings(nint value, long count)
    {
        var strings = new string[count];
        if (count == 0)
        {
            return strings;
        }

        nuint length;
        OrtApi.Check(OrtApi.GetStringTensorDataLength(value, &length));
        var buffer = new byte[(int)length];
        var offsets = new nuint[count];
        fixed (byte* b = buffer)
        fixed (nuint* o = offsets)
        {
            OrtApi.Check(OrtApi.GetStringTensorContent(value, b, length, o, (nuint)count));
        }

        for (var i = 0; i < count; i++)
        {
            var start = (int)offsets[i];
            var end = i + 1 < count ? (int)offsets[i + 1] : buffer.Length;
            strings[i] = System.Text.Encoding.UTF8.GetString(buffer, start, end - start);
        }

        return strings;
    }
}
