using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Onnx.Runtime;

/// <summary>Creates the package's sessions with validated options and reads their input/output metadata once, at load.</summary>
internal static class SessionFactory
{
    public static Ort.InferenceSession FromPath(string path, OnnxSessionOptions? options) =>
        Create(options, so => new Ort.InferenceSession(path, so), () => File.ReadAllBytes(path));

    public static Ort.InferenceSession FromBytes(byte[] model, OnnxSessionOptions? options) =>
        Create(options, so => new Ort.InferenceSession(model, so), () => model);

    private static Ort.InferenceSession Create(OnnxSessionOptions? options, Func<Ort.SessionOptions, Ort.InferenceSession> create, Func<byte[]> modelBytes)
    {
        options ??= new OnnxSessionOptions();
        options.Validate();
        OrtEnvironment.EnsureCreated();
        return OrtErrors.Call(() =>
        {
            using var so = new Ort.SessionOptions
            {
                IntraOpNumThreads = options.IntraOpNumThreads,
                InterOpNumThreads = options.InterOpNumThreads,
                GraphOptimizationLevel = (Ort.GraphOptimizationLevel)(int)options.GraphOptimizationLevel,
                ExecutionMode = (Ort.ExecutionMode)(int)options.ExecutionMode,
            };
            foreach (var (key, value) in options.ConfigEntries)
            {
                so.AddSessionConfigEntry(key, value);
            }

            try
            {
                return create(so);
            }
            catch (Ort.OnnxRuntimeException exception) when (exception.Message.Contains("Unregistered TensorElementType", StringComparison.Ordinal))
            {
                throw UnopenableTypes(modelBytes, exception);
            }
        });
    }

    /// <summary>
    /// The error for a model the managed package cannot open because an input or output has an element type
    /// newer than bfloat16 (ONNX Runtime itself could run it): names each such input or output and its type,
    /// read from the model's own graph.
    /// </summary>
    private static OnnxRuntimeException UnopenableTypes(Func<byte[]> modelBytes, Ort.OnnxRuntimeException error)
    {
        string which;
        try
        {
            var signature = GraphSignature.Read(modelBytes());
            var values = signature.Inputs.Select(v => (Kind: "input", Value: v)).Concat(signature.Outputs.Select(v => (Kind: "output", Value: v)))
                .Where(v => v.Value.ElementType > (int)TensorElementType.BFloat16)
                .Select(v => $"{v.Kind} '{v.Value.Name}' is {NewTypeName(v.Value.ElementType)}")
                .ToList();
            which = values.Count > 0 ? string.Join("; ", values) : "an input or output has an element type newer than bfloat16";
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or IndexOutOfRangeException)
        {
            which = "an input or output has an element type newer than bfloat16";
        }

        return new OnnxRuntimeException(
            OrtErrorCode.InvalidArgument,
            $"ONNX Runtime's managed package cannot open this model: {which}. Float8, int4/uint4, float4 and 2-bit "
            + $"types are not supported as model inputs or outputs; element types up to bfloat16 are. ({error.Message})");
    }

    private static string NewTypeName(int type) => type switch
    {
        17 => "float8 (FLOAT8E4M3FN)",
        18 => "float8 (FLOAT8E4M3FNUZ)",
        19 => "float8 (FLOAT8E5M2)",
        20 => "float8 (FLOAT8E5M2FNUZ)",
        21 => "uint4",
        22 => "int4",
        23 => "float4 (FLOAT4E2M1)",
        24 => "float8 (FLOAT8E8M0)",
        25 => "uint2",
        26 => "int2",
        _ => $"element type {type}",
    };

    /// <summary>The metadata of <paramref name="names"/> in model order.</summary>
    public static NodeMetadata[] ReadMetadata(IReadOnlyList<string> names, IReadOnlyDictionary<string, Ort.NodeMetadata> metadata)
    {
        var nodes = new NodeMetadata[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            nodes[i] = Describe(names[i], metadata[names[i]]);
        }

        return nodes;
    }

    private static NodeMetadata Describe(string name, Ort.NodeMetadata node)
    {
        switch (node.OnnxValueType)
        {
            case Ort.OnnxValueType.ONNX_TYPE_TENSOR:
                var type = (int)node.ElementDataType;
                var supported = TensorElementTypes.IsSupported(type);
                return new NodeMetadata(
                    name,
                    supported,
                    supported ? (TensorElementType)type : TensorElementType.Undefined,
                    [.. node.Dimensions.Select(d => (long)d)],
                    [.. node.SymbolicDimensions.Select(s => s ?? string.Empty)]);
            case Ort.OnnxValueType.ONNX_TYPE_SEQUENCE:
                return Around(name, OnnxValueKind.Sequence, Describe(name, node.AsSequenceMetadata().ElementMeta));
            case Ort.OnnxValueType.ONNX_TYPE_OPTIONAL:
                return Around(name, OnnxValueKind.Optional, Describe(name, node.AsOptionalMetadata().ElementMeta));
            case Ort.OnnxValueType.ONNX_TYPE_MAP:
                return new NodeMetadata(name, false, TensorElementType.Undefined, [], []) { Kind = OnnxValueKind.Map };
            default:
                return new NodeMetadata(name, false, TensorElementType.Undefined, [], []) { Kind = OnnxValueKind.Other };
        }
    }

    /// <summary>A sequence's or an optional's metadata around <paramref name="element"/>'s, with the innermost tensor's type and shape.</summary>
    private static NodeMetadata Around(string name, OnnxValueKind kind, NodeMetadata element) =>
        new(name, false, element.ElementType, element.Dimensions, element.SymbolicDimensions) { Kind = kind, Element = element };
}
