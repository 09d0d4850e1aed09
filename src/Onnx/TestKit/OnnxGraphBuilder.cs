using System.Runtime.InteropServices;
using ModelActors.Onnx;

namespace ModelActors.TestKit.Onnx;

/// <summary>
/// Writes small ONNX models for tests (the ONNX protobuf, by ONNX's own field numbers): inputs and outputs
/// with fixed or symbolic dimensions (tensors, sequences of tensors, optionals), float/int64 initializers, and nodes
/// with int, float, string and ints attributes.
/// </summary>
/// <example>
/// <code>
/// var model = new OnnxGraphBuilder()
///     .Input("x", TensorElementType.Float, "N", 3)
///     .Initializer("w", [..], 3, 2).Initializer("b", [..], 2)
///     .Node("MatMul", ["x", "w"], ["xw"]).Node("Add", ["xw", "b"], ["y"])
///     .Output("y", TensorElementType.Float, "N", 2)
///     .Build();
/// using var session = new InferenceSession(model);
/// </code>
/// </example>
public sealed class OnnxGraphBuilder
{
    private readonly ProtoWriter _graph = new();
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly int _opset;
    private readonly int _irVersion;

    /// <summary>Starts a graph for the default ONNX opset <paramref name="opset"/>.</summary>
    /// <param name="opset">The opset version (13 by default).</param>
    /// <param name="irVersion">The model's IR version (8 by default; opset 19 and the float8 types need 9).</param>
    public OnnxGraphBuilder(int opset = 13, int irVersion = 8)
    {
        _opset = opset;
        _irVersion = irVersion;
    }

    /// <summary>Declares an input; each dimension is a number or a symbolic name (a string).</summary>
    /// <param name="name">The input's name.</param>
    /// <param name="type">The element type.</param>
    /// <param name="dims">Numbers for fixed dimensions, strings for symbolic ones.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Input(string name, TensorElementType type, params object[] dims)
    {
        _inputs.Add(ValueInfo(name, type, dims));
        return this;
    }

    /// <summary>Declares an output; each dimension is a number or a symbolic name.</summary>
    /// <param name="name">The output's name.</param>
    /// <param name="type">The element type.</param>
    /// <param name="dims">Numbers for fixed dimensions, strings for symbolic ones.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Output(string name, TensorElementType type, params object[] dims)
    {
        _outputs.Add(ValueInfo(name, type, dims));
        return this;
    }

    /// <summary>Declares an input that is a sequence of <paramref name="type"/> tensors (of any shape).</summary>
    /// <param name="name">The input's name.</param>
    /// <param name="type">The element type of the sequence's tensors.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder SequenceInput(string name, TensorElementType type)
    {
        _inputs.Add(Named(name, SequenceType(type)));
        return this;
    }

    /// <summary>Declares an output that is a sequence of <paramref name="type"/> tensors (of any shape).</summary>
    /// <param name="name">The output's name.</param>
    /// <param name="type">The element type of the sequence's tensors.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder SequenceOutput(string name, TensorElementType type)
    {
        _outputs.Add(Named(name, SequenceType(type)));
        return this;
    }

    /// <summary>Declares an optional input: a tensor with the given dimensions, or, with <paramref name="sequence"/>, a sequence of tensors (opset 15 and later).</summary>
    /// <param name="name">The input's name.</param>
    /// <param name="type">The element type.</param>
    /// <param name="sequence">Whether the optional holds a sequence rather than a tensor.</param>
    /// <param name="dims">A tensor's dimensions: numbers for fixed ones, strings for symbolic ones.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder OptionalInput(string name, TensorElementType type, bool sequence = false, params object[] dims)
    {
        _inputs.Add(Named(name, OptionalType(sequence ? SequenceType(type) : TensorType(type, dims))));
        return this;
    }

    /// <summary>Declares an optional output: a tensor with the given dimensions, or, with <paramref name="sequence"/>, a sequence of tensors.</summary>
    /// <param name="name">The output's name.</param>
    /// <param name="type">The element type.</param>
    /// <param name="sequence">Whether the optional holds a sequence rather than a tensor.</param>
    /// <param name="dims">A tensor's dimensions: numbers for fixed ones, strings for symbolic ones.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder OptionalOutput(string name, TensorElementType type, bool sequence = false, params object[] dims)
    {
        _outputs.Add(Named(name, OptionalType(sequence ? SequenceType(type) : TensorType(type, dims))));
        return this;
    }

    /// <summary>Adds a float initializer (a constant weight).</summary>
    /// <param name="name">Its name.</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="dims">Its shape.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Initializer(string name, float[] values, params long[] dims)
    {
        _graph.Message(5, Tensor(name, TensorElementType.Float, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        return this;
    }

    /// <summary>Adds an int64 initializer.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="dims">Its shape.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Initializer(string name, long[] values, params long[] dims)
    {
        _graph.Message(5, Tensor(name, TensorElementType.Int64, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray()));
        return this;
    }

    /// <summary>Adds a node; attributes may be <see cref="long"/>/<see cref="int"/>, <see cref="float"/>, <see cref="string"/> or <c>long[]</c>.</summary>
    /// <param name="opType">The operator (e.g. "MatMul").</param>
    /// <param name="inputs">Input value names.</param>
    /// <param name="outputs">Output value names.</param>
    /// <param name="attributes">Attribute names and values.</param>
    /// <returns>This builder.</returns>
    public OnnxGraphBuilder Node(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        foreach (var output in outputs)
        {
            node.String(2, output);
        }

        node.String(4, opType);
        foreach (var (name, value) in attributes)
        {
            var attribute = new ProtoWriter().String(1, name);
            switch (value)
            {
                case float f:
                    attribute.Float(2, f).Varint(20, 1);
                    break;
                case int or long:
                    attribute.Varint(3, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)).Varint(20, 2);
                    break;
                case string s:
                    attribute.String(4, s).Varint(20, 3);
                    break;
                case long[] ints:
                    attribute.PackedVarints(8, ints).Varint(20, 7);
                    break;
                default:
                    throw new ArgumentException($"Unsupported attribute value for '{name}': {value?.GetType().Name}.");
            }

            node.Message(5, attribute);
        }

        _graph.Message(1, node);
        return this;
    }

    /// <summary>Serializes the model (IR version 8 unless the constructor said otherwise).</summary>
    /// <returns>The ONNX model's bytes.</returns>
    public byte[] Build()
    {
        var body = new ProtoWriter();
        foreach (var input in _inputs)
        {
            body.Message(11, input);
        }

        foreach (var output in _outputs)
        {
            body.Message(12, output);
        }

        var graphBytes = _graph.ToArray().Concat(new ProtoWriter().String(2, "test-graph").ToArray()).Concat(body.ToArray()).ToArray();
        return new ProtoWriter()
            .Varint(1, _irVersion)
            .String(2, "ModelActors.TestKit")
            .Bytes(7, graphBytes)
            .Message(8, new ProtoWriter().String(1, string.Empty).Varint(2, _opset))
            .ToArray();
    }

    /// <summary>Writes the model to <paramref name="path"/>.</summary>
    /// <param name="path">The file to write.</param>
    /// <returns>The path.</returns>
    public string Save(string path)
    {
        File.WriteAllBytes(path, Build());
        return path;
    }

    private static ProtoWriter ValueInfo(string name, TensorElementType type, object[] dims) => Named(name, TensorType(type, dims));

    /// <summary>A ValueInfoProto: name (1) and type (2).</summary>
    private static ProtoWriter Named(string name, ProtoWriter type) => new ProtoWriter().String(1, name).Message(2, type);

    /// <summary>A TypeProto holding a tensor type (field 1: elem_type 1, shape 2).</summary>
    private static ProtoWriter TensorType(TensorElementType type, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var dim in dims)
        {
            shape.Message(1, dim switch
            {
                string symbolic => new ProtoWriter().String(2, symbolic),
                _ => new ProtoWriter().Varint(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture)),
            });
        }

        return new ProtoWriter().Message(1, new ProtoWriter().Varint(1, (int)type).Message(2, shape));
    }

    /// <summary>A TypeProto holding a sequence type (field 4) of tensors without a declared shape.</summary>
    private static ProtoWriter SequenceType(TensorElementType type) =>
        new ProtoWriter().Message(4, new ProtoWriter().Message(1, new ProtoWriter().Message(1, new ProtoWriter().Varint(1, (int)type))));

    /// <summary>A TypeProto holding an optional type (field 9) around <paramref name="element"/>.</summary>
    private static ProtoWriter OptionalType(ProtoWriter element) => new ProtoWriter().Message(9, new ProtoWriter().Message(1, element));

    private static ProtoWriter Tensor(string name, TensorElementType type, long[] dims, byte[] raw)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(1, dim);
        }

        return tensor.Varint(2, (int)type).String(8, name).Bytes(9, raw);
    }
}
