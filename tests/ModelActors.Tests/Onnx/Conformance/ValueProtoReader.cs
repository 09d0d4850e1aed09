using System.Text;
using ModelActors.Onnx;
using ModelActors.Onnx.Runtime;

namespace ModelActors.Tests.Onnx.Conformance;

/// <summary>
/// A test value that may be a tensor, a sequence of values, or an optional with or without one
/// (ONNX's <c>SequenceProto</c> and <c>OptionalProto</c>: name 1, elem_type 2, tensor 3, sequence 5, optional 7).
/// </summary>
internal sealed record ProtoValue(OnnxTensor? Tensor, IReadOnlyList<ProtoValue>? Sequence, bool IsNone)
{
    public static ProtoValue Read(byte[] bytes, string kind) => kind switch
    {
        "sequence" => ReadSequence(bytes),
        "optional" => ReadOptional(bytes),
        _ => new ProtoValue(TensorProtoReader.Read(bytes).Tensor, null, false),
    };

    private static ProtoValue ReadSequence(ReadOnlySpan<byte> bytes)
    {
        var items = new List<ProtoValue>();
        var reader = new ProtoReader(bytes);
        while (reader.TryRead(out var field, out var wire))
        {
            switch (field)
            {
                case 3: items.Add(new ProtoValue(TensorProtoReader.Read(reader.ReadBytes().ToArray()).Tensor, null, false)); break;
                case 5: items.Add(ReadSequence(reader.ReadBytes())); break;
                case 7: items.Add(ReadOptional(reader.ReadBytes())); break;
                default: reader.Skip(wire); break;
            }
        }

        return new ProtoValue(null, items, false);
    }

    private static ProtoValue ReadOptional(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes);
        while (reader.TryRead(out var field, out var wire))
        {
            switch (field)
            {
                case 3: return new ProtoValue(TensorProtoReader.Read(reader.ReadBytes().ToArray()).Tensor, null, false);
                case 5: return ReadSequence(reader.ReadBytes());
                case 7: return ReadOptional(reader.ReadBytes());
                default: reader.Skip(wire); break;
            }
        }

        return new ProtoValue(null, null, true);
    }

    public override string ToString() =>
        IsNone ? "none" : Tensor is { } t ? $"{t.ElementType}[{string.Join(", ", t.Shape)}]" : $"sequence of {Sequence!.Count}";

    /// <summary>A name for a proto's <c>name</c> field (1), empty when absent.</summary>
    public static string NameOf(byte[] bytes)
    {
        var reader = new ProtoReader(bytes);
        while (reader.TryRead(out var field, out var wire))
        {
            if (field == 1 && wire == 2)
            {
                return Encoding.UTF8.GetString(reader.ReadBytes());
            }

            reader.Skip(wire);
        }

        return string.Empty;
    }
}
