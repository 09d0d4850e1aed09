namespace ModelActors.Onnx.Runtime;

/// <summary>
/// How the outputs' shapes follow from the inputs' before a run, where the metadata says so: fixed dimensions, and
/// symbolic ones named like an input's (ONNX Runtime itself takes one name to mean one size: "all values with the same
/// string should equate to the same size"). With the shapes known, a run writes its outputs straight into the managed
/// arrays it hands back: no buffer allocated by ONNX Runtime, no copy, about a microsecond less per run.
/// </summary>
/// <remarks>
/// A model whose metadata promises shapes it does not produce makes ONNX Runtime refuse the buffers; the session then
/// runs again the usual way and stops pre-allocating (see <see cref="InferenceSession"/>).
/// </remarks>
internal sealed class OutputShapes
{
    /// <summary>Per output (model order): its dimensions, or null when its shape cannot be known before the run.</summary>
    private readonly Dimension[]?[] _outputs;

    private OutputShapes(Dimension[]?[] outputs) => _outputs = outputs;

    /// <summary>The plan for a model; null when no output's shape can be known before a run.</summary>
    public static OutputShapes? For(IReadOnlyList<NodeMetadata> inputs, IReadOnlyList<NodeMetadata> outputs)
    {
        var named = new Dictionary<string, List<(string Input, int Dimension)>>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (input.Kind != OnnxValueKind.Tensor || !input.IsTensor)
            {
                continue;
            }

            for (var d = 0; d < input.Rank; d++)
            {
                if (input.Dimensions[d] < 0 && input.SymbolicDimensions[d] is { Length: > 0 } symbol)
                {
                    if (!named.TryGetValue(symbol, out var places))
                    {
                        named[symbol] = places = [];
                    }

                    places.Add((input.Name, d));
                }
            }
        }

        var inputNames = inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var plans = new Dimension[]?[outputs.Count];
        for (var o = 0; o < outputs.Count; o++)
        {
            // An output that is an input passed through is handed back as the input's value: ONNX Runtime never writes
            // a buffer given for it.
            plans[o] = inputNames.Contains(outputs[o].Name) ? null : Plan(outputs[o], named);
        }

        return plans.Any(p => p is not null) ? new OutputShapes(plans) : null;
    }

    /// <summary>
    /// The shapes of <paramref name="outputIndices"/> for these inputs (already checked against the metadata); null
    /// when there are none, one of them cannot be known, holds no element, or two inputs disagree on a symbolic
    /// dimension it uses.
    /// </summary>
    public long[][]? Resolve(IReadOnlyDictionary<string, OnnxTensor> inputs, int[]? outputIndices)
    {
        if (outputIndices is null)
        {
            return null;
        }

        var shapes = new long[outputIndices.Length][];
        for (var i = 0; i < outputIndices.Length; i++)
        {
            if (_outputs[outputIndices[i]] is not { } plan)
            {
                return null;
            }

            var shape = new long[plan.Length];
            for (var d = 0; d < plan.Length; d++)
            {
                if (plan[d].Resolve(inputs) is not { } size || size == 0)
                {
                    return null; // an empty output is left to ONNX Runtime (no buffer to pin)
                }

                shape[d] = size;
            }

            shapes[i] = shape;
        }

        return shapes;
    }

    private static Dimension[]? Plan(NodeMetadata output, Dictionary<string, List<(string Input, int Dimension)>> named)
    {
        if (output.Kind != OnnxValueKind.Tensor || !output.IsTensor || output.ElementType == TensorElementType.String)
        {
            return null; // strings live in ONNX Runtime's memory; sequences and optionals have no fixed layout
        }

        var plan = new Dimension[output.Rank];
        for (var d = 0; d < plan.Length; d++)
        {
            if (output.Dimensions[d] >= 0)
            {
                plan[d] = new Dimension(output.Dimensions[d], null);
            }
            else if (output.SymbolicDimensions[d] is { Length: > 0 } symbol && named.TryGetValue(symbol, out var places))
            {
                plan[d] = new Dimension(-1, [.. places]);
            }
            else
            {
                return null;
            }
        }

        return plan;
    }

    /// <summary>A fixed size, or the input dimensions (all named alike) a symbolic one takes its size from.</summary>
    private readonly record struct Dimension(long Fixed, (string Input, int Dimension)[]? Places)
    {
        public long? Resolve(IReadOnlyDictionary<string, OnnxTensor> inputs)
        {
            if (Places is null)
            {
                return Fixed;
            }

            long? size = null;
            foreach (var (input, dimension) in Places)
            {
                var given = inputs[input].Shape[dimension];
                if (size is { } known && known != given)
                {
                    return null; // the inputs disagree: ONNX Runtime will say so
                }

                size = given;
            }

            return size;
        }
    }
}
