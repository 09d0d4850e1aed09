using System.Text;

namespace ModelActors.Onnx.Runtime;

/// <summary>A model's graph inputs and outputs as ONNX declares them: whether each is a plain tensor, and its element type.</summary>
internal sealed record GraphSignature(IReadOnlyList<GraphSignature.Value> Inputs, IReadOnlyList<GraphSignature.Value> Outputs)
{
    /// <param name="Name">The value's name.</param>
    /// <param name="Kind">"tensor", "sequence", "map", "sparse tensor", "optional" or "unknown".</param>
    /// <param name="ElementType">The tensor element type (ONNX numbering), or 0.</param>
    internal sealed record Value(string Name, string Kind, int ElementType);

    public static GraphSignature Read(byte[] model)
    {
        var reader = new ProtoReader(model);
        while (reader.TryRead(out var field, out var wire))
        {
            if (field == 7 && wire == 2)
            {
                return ReadGraph(reader.ReadBytes());
            }

            reader.Skip(wire);
        }

        throw new InvalidDataException("The model has no graph.");
    }

    private static GraphSignature ReadGraph(ReadOnlySpan<byte> graph)
    {
        var inputs = new List<Value>();
        var outputs = new List<Value>();
        var initializers = new HashSet<string>();
        var reader = new ProtoReader(graph);
        while (reader.TryRead(out var field, out var wire))
        {
            switch (field)
            {
                case 11: inputs.Add(ReadValueInfo(reader.ReadBytes())); break;
                case 12: outputs.Add(ReadValueInfo(reader.ReadBytes())); break;
                case 5: initializers.Add(TensorName(reader.ReadBytes())); break;
                default: reader.Skip(wire); break;
            }
        }

        return new GraphSignature([.. inputs.Where(i => !initializers.Contains(i.Name))], outputs);
    }

    private static string TensorName(ReadOnlySpan<byte> tensor)
    {
        var reader = new ProtoReader(tensor);
        while (reader.TryRead(out var field, out var wire))
        {
            if (field == 8)
            {
                return Encoding.UTF8.GetString(reader.ReadBytes());
            }

            reader.Skip(wire);
        }

        return string.Empty;
    }

    private static Value ReadValueInfo(ReadOnlySpan<byte> info)
    {
        var name = string.Empty;
        var kind = "unknown";
        var elementType = 0;
        var reader = new ProtoReader(info);
        while (reader.TryRead(out var field, out var wire))
        {
            if (field == 1)
            {
                name = Encoding.UTF8.GetString(reader.ReadBytes());
            }
            else if (field == 2)
            {
                var type = new ProtoReader(reader.ReadBytes());
                while (type.TryRead(out var typeField, out var typeWire))
                {
                    switch (typeField)
                    {
                        case 1:
                            kind = "tensor";
                            var tensor = new ProtoReader(type.ReadBytes());
                            while (tensor.TryRead(out var f, out var w))
                            {
                                if (f == 1)
                                {
                                    elementType = (int)tensor.ReadVarint();
                                }
                                else
                                {
                                    tensor.Skip(w);
                                }
                            }

                            break;
                        case 4: kind = "sequence"; type.Skip(typeWire); break;
                        case 5: kind = "map"; type.Skip(typeWire); break;
                        case 8: kind = "sparse tensor"; type.Skip(typeWire); break;
                        case 9: kind = "optional"; type.Skip(typeWire); break;
                        default: type.Skip(typeWire); break;
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return new Value(name, kind, elementType);
    }
}
