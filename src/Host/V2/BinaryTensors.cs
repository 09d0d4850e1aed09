using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ModelActors.Onnx;
using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Host.V2;

/// <summary>
/// The v2 binary tensor extension's data layout: raw little-endian elements, row-major (BOOL one byte each);
/// BYTES as a 4-byte little-endian length before each element's bytes.
/// </summary>
internal static class BinaryTensors
{
    /// <summary>The tensor in <paramref name="bytes"/>; the message names the input when the size does not fit the shape.</summary>
    public static OnnxTensor Read(ReadOnlySpan<byte> bytes, TensorElementType type, long[] shape, string what)
    {
        var count = ElementCount(shape);
        if (type == TensorElementType.String)
        {
            // Each element takes at least its 4-byte length: a shape holding more cannot match (and is not allocated).
            if (count > bytes.Length / 4)
            {
                throw new InferRequestException($"{what}: shape [{string.Join(", ", shape)}] holds {count} elements, more than {bytes.Length} bytes of binary data can (4 bytes of length each at least).");
            }

            var elements = new byte[count][];
            var at = 0;
            for (var i = 0; i < count; i++)
            {
                if (at + 4 > bytes.Length || BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]) is var length && at + 4 + length > (uint)bytes.Length)
                {
                    throw new InferRequestException($"{what}: the binary data ends inside element {i} of {count}.");
                }

                elements[i] = bytes.Slice(at + 4, (int)length).ToArray();
                at += 4 + (int)length;
            }

            return at == bytes.Length ? OnnxTensor.FromBytes(elements, shape) : throw new InferRequestException($"{what}: {bytes.Length - at} bytes of binary data are left after {count} elements.");
        }

        var size = type == TensorElementType.Bool ? 1 : ElementSize(type);
        if (count > bytes.Length)
        {
            throw new InferRequestException($"{what}: shape [{string.Join(", ", shape)}] holds {count} elements, more than {bytes.Length} bytes of binary data can.");
        }

        if (bytes.Length != count * size)
        {
            throw new InferRequestException($"{what}: shape [{string.Join(", ", shape)}] needs {count * size} bytes of binary data, not {bytes.Length}.");
        }

        return type switch
        {
            TensorElementType.Bool => OnnxTensor.Create(Booleans(bytes, what), shape),
            TensorElementType.UInt8 => OnnxTensor.Create(bytes.ToArray(), shape),
            TensorElementType.Int8 => OnnxTensor.Create(Copy<sbyte>(bytes), shape),
            TensorElementType.UInt16 => OnnxTensor.Create(Copy<ushort>(bytes), shape),
            TensorElementType.Int16 => OnnxTensor.Create(Copy<short>(bytes), shape),
            TensorElementType.UInt32 => OnnxTensor.Create(Copy<uint>(bytes), shape),
            TensorElementType.Int32 => OnnxTensor.Create(Copy<int>(bytes), shape),
            TensorElementType.UInt64 => OnnxTensor.Create(Copy<ulong>(bytes), shape),
            TensorElementType.Int64 => OnnxTensor.Create(Copy<long>(bytes), shape),
            TensorElementType.Float16 => OnnxTensor.Create(Copy<Half>(bytes), shape),
            TensorElementType.BFloat16 => OnnxTensor.Create(Copy<BFloat16>(bytes), shape),
            TensorElementType.Float => OnnxTensor.Create(Copy<float>(bytes), shape),
            TensorElementType.Double => OnnxTensor.Create(Copy<double>(bytes), shape),
            _ => throw new InferRequestException($"{what}: element type {type} has no binary form here."),
        };
    }

    /// <summary>
    /// BOOL elements, one byte each: 0 or 1 (Triton's and the protocol's layout). Another byte is refused, not read as
    /// true: it is a client's mistake (other data sent as BOOL), and ONNX Runtime's kernels assume a bool is 0 or 1.
    /// </summary>
    private static bool[] Booleans(ReadOnlySpan<byte> bytes, string what)
    {
        var values = new bool[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            values[i] = bytes[i] switch
            {
                0 => false,
                1 => true,
                var other => throw new InferRequestException($"{what}: BOOL element {i} is the byte {other}, not 0 (false) or 1 (true)."),
            };
        }

        return values;
    }

    /// <summary>The tensor's elements in the extension's layout.</summary>
    public static byte[] Write(OnnxTensor tensor)
    {
        switch (tensor.ElementType)
        {
            case TensorElementType.String:
                var buffer = new MemoryStream();
                Span<byte> length = stackalloc byte[4];
                foreach (var bytes in tensor.GetBytes()) // raw bytes as they are; text as UTF-8
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
                    buffer.Write(length);
                    buffer.Write(bytes);
                }

                return buffer.ToArray();
            case TensorElementType.Bool:
                return [.. ((bool[])tensor.Data).Select(b => b ? (byte)1 : (byte)0)];
            default:
                var size = ElementSize(tensor.ElementType);
                var raw = new byte[tensor.Data.LongLength * size];
                MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(tensor.Data), raw.Length).CopyTo(raw);
                return raw;
        }
    }

    /// <summary>The number of elements <paramref name="shape"/> holds, saturating at <see cref="long.MaxValue"/> (a hostile shape must not overflow).</summary>
    public static long ElementCount(long[] shape)
    {
        var count = 1L;
        foreach (var dimension in shape)
        {
            count = dimension == 0 ? 0 : count > long.MaxValue / dimension ? long.MaxValue : count * dimension;
        }

        return count;
    }

    private static T[] Copy<T>(ReadOnlySpan<byte> bytes)
        where T : struct => MemoryMarshal.Cast<byte, T>(bytes).ToArray();

    private static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        _ => 1,
    };
}
