using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Onnx.Runtime;

/// <summary>Creates the package's sessions with validated options and reads their input/output metadata once, at load.</summary>
internal static class SessionFactory
{
    public static Ort.InferenceSession FromPath(string path, OnnxSessionOptions? options) =>
        Create(options, so => new Ort.InferenceSession(path, so));

    public static Ort.InferenceSession FromBytes(byte[] model, OnnxSessionOptions? options) =>
        Create(options, so => new Ort.InferenceSession(model, so));

    private static Ort.InferenceSession Create(OnnxSessionOptions? options, Func<Ort.SessionOptions, Ort.InferenceSession> create)
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
                throw new OnnxRuntimeException(
                    OrtErrorCode.InvalidArgument,
                    "The model has an input or output whose element type ONNX Runtime's managed API cannot open (float8, int4/uint4 and 2-bit types); "
                    + $"only element types up to bfloat16 are supported. ({exception.Message})");
            }
        });
    }

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
        if (!node.IsTensor)
        {
            return new NodeMetadata(name, false, TensorElementType.Undefined, [], []);
        }

        var type = (int)node.ElementDataType;
        var supported = TensorElementTypes.IsSupported(type);
        return new NodeMetadata(
            name,
            supported,
            supported ? (TensorElementType)type : TensorElementType.Undefined,
            [.. node.Dimensions.Select(d => (long)d)],
            [.. node.SymbolicDimensions.Select(s => s ?? string.Empty)]);
    }
}
