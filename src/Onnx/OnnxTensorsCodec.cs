using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ModelActors.Onnx.Runtime;

namespace ModelActors.Onnx;

/// <summary>
/// How <see cref="OnnxTensors"/> cross nodes of a cluster: for each tensor its name, element type, shape and elements as
/// raw little-endian bytes (strings as UTF-8, or as the raw bytes a <c>byte[][]</c> tensor holds), so a tensor arrives
/// as it left, element for element, whatever its type.
/// </summary>
public sealed class OnnxTensorsCodec : ModelPayloadCodec<OnnxTensors>
{
    private const byte Version = 1;

    /// <inheritdoc />
    public override void Write(IBufferWriter<byte> output, OnnxTensors value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("OnnxTensors cross nodes as little-endian bytes; this machine is big-endian.");
        }

        WriteByte(output, Version);
        WriteInt(output, value.Count);
        for (var i = 0; i < value.Count; i++)
        {
            WriteTensor(output, value.NameAt(i), value.TensorAt(i));
        }
    }

    /// <inheritdoc />
    public override OnnxTensors Read(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        var version = reader.Byte();
        if (version != Version)
        {
            throw new FormatException($"OnnxTensors of wire version {version} arrived; this node reads version {Version}.");
        }

        var count = reader.Int();
        reader.Expect(count, 1, "tensors");
        var tensors = new OnnxTensors(count);
        for (var i = 0; i < count; i++)
        {
            var name = Encoding.UTF8.GetString(reader.Block());
            tensors[name] = ReadTensor(ref reader, name);
        }

        return tensors;
    }

    private static void WriteTensor(IBufferWriter<byte> output, string name, OnnxTensor tensor)
    {
        WriteBlock(output, Encoding.UTF8.GetBytes(name));
        WriteByte(output, (byte)tensor.ElementType);
        WriteInt(output, tensor.Shape.Count);
        foreach (var dimension in tensor.Shape)
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), dimension);
            output.Advance(8);
        }

        WriteInt(output, checked((int)tensor.ElementCount));
        switch (tensor.Data)
        {
            case string[] strings:
                WriteByte(output, 0);
                foreach (var s in strings)
                {
                    WriteBlock(output, Encoding.UTF8.GetBytes(s));
                }

                break;
            case byte[][] bytes:
                WriteByte(output, 1);
                foreach (var b in bytes)
                {
                    WriteBlock(output, b);
                }

                break;
            default:
                var raw = MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(tensor.Data), checked((int)(tensor.ElementCount * OrtValues.ElementSize(tensor.ElementType))));
                output.Write(raw);
                break;
        }
    }

    private static OnnxTensor ReadTensor(ref Reader reader, string name)
    {
        var type = (TensorElementType)reader.Byte();
        if (!TensorElementTypes.IsSupported((int)type))
        {
            throw new FormatException($"Tensor '{name}' arrived with element type {(int)type}, which this node does not know.");
        }

        var rank = reader.Int();
        reader.Expect(rank, 8, $"dimensions of tensor '{name}'");
        var shape = new long[rank];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = reader.Int64();
        }

        var count = reader.Int();
        if (!ShapeHolds(shape, count))
        {
            throw new FormatException($"Tensor '{name}' arrived with shape [{string.Join(", ", shape)}] and {count} elements.");
        }

        // Checked before anything is allocated: a count beyond the bytes left is a broken (or hostile) message.
        reader.Expect(count, type == TensorElementType.String ? 4 : OrtValues.ElementSize(type), $"elements of tensor '{name}'");

        if (type == TensorElementType.String)
        {
            var raw = reader.Byte() == 1;
            if (raw)
            {
                var bytes = new byte[count][];
                for (var e = 0; e < count; e++)
                {
                    bytes[e] = reader.Block().ToArray();
                }

                return OnnxTensor.FromNative(type, shape, bytes);
            }

            var strings = new string[count];
            for (var e = 0; e < count; e++)
            {
                strings[e] = Encoding.UTF8.GetString(reader.Block());
            }

            return OnnxTensor.FromNative(type, shape, strings);
        }

        var array = TensorElementTypes.NewArray(type, count, filledLater: true);
        var target = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), checked(count * OrtValues.ElementSize(type)));
        reader.Take(target.Length).CopyTo(target);
        return OnnxTensor.FromNative(type, shape, array);
    }

    /// <summary>Whether <paramref name="shape"/> has <paramref name="count"/> elements (no dimension negative, no overflow).</summary>
    private static bool ShapeHolds(long[] shape, int count)
    {
        long product = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0 || (dimension > 0 && product > count / dimension))
            {
                return dimension == 0 && count == 0;
            }

            product *= dimension;
        }

        return product == count;
    }

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteInt(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private static void WriteBlock(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteInt(output, bytes.Length);
        output.Write(bytes);
    }

    /// <summary>Reads the parts; a truncated message is a <see cref="FormatException"/>.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public byte Byte() => Take(1)[0];

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4)) is var v and >= 0 ? v : throw new FormatException("A count in an OnnxTensors message is negative.");

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public ReadOnlySpan<byte> Block() => Take(Int());

        /// <summary>Fails unless <paramref name="count"/> items of at least <paramref name="bytesEach"/> bytes can still follow.</summary>
        public readonly void Expect(int count, int bytesEach, string what)
        {
            if ((long)count * bytesEach > _data.Length)
            {
                throw new FormatException($"An OnnxTensors message claims {count} {what} in {_data.Length} bytes.");
            }
        }

        public ReadOnlySpan<byte> Take(int count)
        {
            if (_data.Length < count)
            {
                throw new FormatException($"An OnnxTensors message ended early: {count} more bytes expected, {_data.Length} left.");
            }

            var taken = _data[..count];
            _data = _data[count..];
            return taken;
        }
    }
}
