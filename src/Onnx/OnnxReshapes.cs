namespace ModelActors.Onnx;

/// <summary>
/// The reshapes a configuration declares (<see cref="TensorDeclaration.Reshape"/>, Triton's <c>reshape</c>): callers send
/// and get tensors of the declared dimensions, the ONNX file takes and gives the reshaped ones. A reshape moves no
/// element (the same data under another shape); -1 in a shape stands for the caller's (or the file's) size at that axis,
/// the batch axis.
/// </summary>
internal sealed class OnnxReshapes
{
    private readonly Dictionary<string, TensorDeclaration> _inputs;
    private readonly Dictionary<string, TensorDeclaration> _outputs;

    private OnnxReshapes(Dictionary<string, TensorDeclaration> inputs, Dictionary<string, TensorDeclaration> outputs) => (_inputs, _outputs) = (inputs, outputs);

    /// <summary>The reshapes of <paramref name="settings"/>, or null when none is declared.</summary>
    public static OnnxReshapes? Of(OnnxModelSettings settings)
    {
        var inputs = settings.Inputs.Where(d => d.Reshape.Count > 0).ToDictionary(d => d.Name, StringComparer.Ordinal);
        var outputs = settings.Outputs.Where(d => d.Reshape.Count > 0).ToDictionary(d => d.Name, StringComparer.Ordinal);
        return inputs.Count + outputs.Count == 0 ? null : new OnnxReshapes(inputs, outputs);
    }

    /// <summary>The signature callers see: the reshaped inputs and outputs with their declared dimensions.</summary>
    public TensorSignature CallerSignature(IReadOnlyList<NodeMetadata> inputs, IReadOnlyList<NodeMetadata> outputs) =>
        new([.. inputs.Select(n => Declared(n, _inputs))], [.. outputs.Select(n => Declared(n, _outputs))]);

    /// <summary>An item as the file takes it: its reshaped inputs under the file's shape.</summary>
    /// <exception cref="OnnxInputException">An input's element count does not fit its reshape; the message names the input and both shapes.</exception>
    public OnnxTensors ToModel(OnnxTensors item) =>
        Map(item, _inputs, (tensor, declaration) => Reshape(Declared(tensor, declaration), declaration.Reshape, declaration, "input"));

    /// <summary>Outputs as callers get them: the reshaped ones under their declared dimensions.</summary>
    public OnnxTensors FromModel(OnnxTensors outputs) =>
        Map(outputs, _outputs, (tensor, declaration) => Reshape(tensor, declaration.Dimensions, declaration, "output"));

    /// <summary>The tensors with every one that <paramref name="declared"/> names reshaped; the same set when none is.</summary>
    private static OnnxTensors Map(OnnxTensors tensors, Dictionary<string, TensorDeclaration> declared, Func<OnnxTensor, TensorDeclaration, OnnxTensor> reshape)
    {
        if (!tensors.Keys.Any(declared.ContainsKey))
        {
            return tensors;
        }

        var reshaped = new OnnxTensors();
        foreach (var (name, tensor) in tensors)
        {
            reshaped[name] = declared.TryGetValue(name, out var declaration) ? reshape(tensor, declaration) : tensor;
        }

        return reshaped;
    }

    /// <summary>The caller's tensor, checked against the declared dimensions (rank and every fixed size), as the file's metadata checks the others.</summary>
    private static OnnxTensor Declared(OnnxTensor tensor, TensorDeclaration declaration) =>
        tensor.Shape.Count == declaration.Dimensions.Count && tensor.Shape.Zip(declaration.Dimensions).All(p => p.Second < 0 || p.First == p.Second)
            ? tensor
            : throw new OnnxInputException(declaration.Name,
                $"Input '{declaration.Name}' has shape [{string.Join(", ", tensor.Shape)}]; the configuration declares [{string.Join(", ", declaration.Dimensions)}].");

    private static OnnxTensor Reshape(OnnxTensor tensor, List<long> target, TensorDeclaration declaration, string kind)
    {
        var shape = new long[target.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = target[i] >= 0 ? target[i] : i < tensor.Shape.Count ? tensor.Shape[i] : -1;
        }

        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Any(d => d < 0) || count != tensor.ElementCount)
        {
            throw new OnnxInputException(declaration.Name,
                $"The {kind} '{declaration.Name}' has shape [{string.Join(", ", tensor.Shape)}], which does not reshape to [{string.Join(", ", target)}] (declared [{string.Join(", ", declaration.Dimensions)}], reshaped [{string.Join(", ", declaration.Reshape)}]).");
        }

        return OnnxTensor.FromNative(tensor.ElementType, shape, tensor.Data);
    }

    private static NodeMetadata Declared(NodeMetadata node, Dictionary<string, TensorDeclaration> declared) =>
        declared.TryGetValue(node.Name, out var d)
            ? node with { Dimensions = [.. d.Dimensions], SymbolicDimensions = [.. d.Dimensions.Select(_ => string.Empty)] }
            : node;
}
