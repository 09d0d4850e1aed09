using ModelActors.Onnx.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using ModelActors.Onnx;
using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Tests.Onnx.Conformance;

/// <summary>Decodes an ONNX <c>TensorProto</c> (input_N.pb / output_N.pb) into an <see cref="OnnxTensor"/>.</summary>
internal static class TensorProtoReader
{
    public static (string Name, OnnxTensor Tensor) Read(byte[] bytes)
    {
        var dims = new List<long>();
        var dataType = 0;
        var name = string.Empty;
        byte[]? raw = null;
        var floats = new List<float>();
        var doubles = new List<double>();
        var varints = new List<ulong>(); // int32_data, int64_data, uint64_data
        var strings = new List<string>();
        var reader = new ProtoReader(bytes);
        while (reader.TryRead(out var field, out var wire))
        {
            switch (field)
            {
                case 1: ReadVarints(ref reader, wire, v => dims.Add((long)v)); break;
                case 2: dataType = (int)reader.ReadVarint(); break;
                case 4:
                    if (wire == 2)
                    {
                        floats.AddRange(MemoryMarshal.Cast<byte, float>(reader.ReadBytes()).ToArray());
                    }
                    else
                    {
                        floats.Add(BitConverter.UInt32BitsToSingle(reader.ReadFixed32()));
                    }

                    break;
                case 5 or 7 or 11: ReadVarints(ref reader, wire, varints.Add); break;
                case 6: strings.Add(Encoding.UTF8.GetString(reader.ReadBytes())); break;
                case 8: name = Encoding.UTF8.GetString(reader.ReadBytes()); break;
                case 9: raw = reader.ReadBytes().ToArray(); break;
                case 10:
                    if (wire == 2)
                    {
                        doubles.AddRange(MemoryMarshal.Cast<byte, double>(reader.ReadBytes()).ToArray());
                    }
                    else
                    {
                        doubles.Add(BitConverter.UInt64BitsToDouble(reader.ReadFixed64()));
                    }

                    break;
                case 13 or 14: throw new NotSupportedException("external tensor data");
                default: reader.Skip(wire); break;
            }
        }

        var shape = dims.ToArray();
        var type = (TensorElementType)dataType;
        var tensor = type switch
        {
            TensorElementType.Float => OnnxTensor.Create(raw is null ? [.. floats] : FromRaw<float>(raw), shape),
            TensorElementType.Double => OnnxTensor.Create(raw is null ? [.. doubles] : FromRaw<double>(raw), shape),
            TensorElementType.Float16 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => BitConverter.UInt16BitsToHalf((ushort)v))] : FromRaw<Half>(raw), shape),
            TensorElementType.BFloat16 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => new BFloat16((ushort)v))] : FromRaw<BFloat16>(raw), shape),
            TensorElementType.Int8 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => (sbyte)(long)v)] : FromRaw<sbyte>(raw), shape),
            TensorElementType.Int16 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => (short)(long)v)] : FromRaw<short>(raw), shape),
            TensorElementType.Int32 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => (int)(long)v)] : FromRaw<int>(raw), shape),
            TensorElementType.Int64 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => (long)v)] : FromRaw<long>(raw), shape),
            TensorElementType.UInt8 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => (byte)v)] : FromRaw<byte>(raw), shape),
            TensorElementType.UInt16 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => (ushort)v)] : FromRaw<ushort>(raw), shape),
            TensorElementType.UInt32 => OnnxTensor.Create(raw is null ? [.. varints.Select(v => (uint)v)] : FromRaw<uint>(raw), shape),
            TensorElementType.UInt64 => OnnxTensor.Create(raw is null ? [.. varints] : FromRaw<ulong>(raw), shape),
            TensorElementType.Bool => OnnxTensor.Create<bool>(raw is null ? [.. varints.Select(v => v != 0)] : [.. raw.Select(b => b != 0)], shape),
            TensorElementType.String => OnnxTensor.Create(strings.ToArray(), shape),
            _ => throw new NotSupportedException($"element type {dataType}"),
        };
        return (name, tensor);
    }

    private static T[] FromRaw<T>(byte[] raw)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(raw).ToArray();

    private static void ReadVarints(ref ProtoReader reader, int wire, Action<ulong> add)
    {
        if (wire != 2)
        {
            add(reader.ReadVarint());
            return;
        }

        var packed = new ProtoReader(reader.ReadBytes());
        while (!packed.AtEnd)
        {
            add(packed.ReadVarint());
        }
    }
}
