namespace ModelActors.Onnx;

/// <summary>Checks the inputs and outputs a configuration declares (<see cref="OnnxModelSettings.Inputs"/>, <see cref="OnnxModelSettings.Outputs"/>) against the ONNX file.</summary>
internal static class OnnxDeclarations
{
    /// <summary>Every mismatch, each naming the declaration and what the file has; empty when they agree.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="session">The loaded file.</param>
    /// <param name="settings">The declarations.</param>
    public static List<string> Mismatches(string model, InferenceSession session, OnnxModelSettings settings)
    {
        var errors = new List<string>();
        Compare(model, "input", settings.Inputs, session.InputMetadata, errors);
        Compare(model, "output", settings.Outputs, session.OutputMetadata, errors);

        // As Triton's ONNX Runtime backend: every input the file needs must be declared (outputs may be a subset).
        if (settings.Inputs.Count > 0)
        {
            foreach (var missing in session.InputMetadata.Where(m => settings.Inputs.All(d => d.Name != m.Name)))
            {
                errors.Add($"Model '{model}': the configuration does not declare input '{missing}' of the ONNX file; declared: {string.Join(", ", settings.Inputs)}.");
            }
        }

        return errors;
    }

    private static void Compare(string model, string kind, List<TensorDeclaration> declared, IReadOnlyList<NodeMetadata> actual, List<string> errors)
    {
        foreach (var declaration in declared)
        {
            var node = actual.FirstOrDefault(m => m.Name == declaration.Name);
            if (node is null)
            {
                errors.Add($"Model '{model}': the configuration declares {kind} '{declaration}', which the ONNX file does not have; its {kind}s are {string.Join(", ", actual)}.");
            }
            else if (!Agrees(declaration, node))
            {
                errors.Add($"Model '{model}': the configuration declares {kind} '{declaration}'{(declaration.Reshape.Count > 0 ? $" reshaped to [{string.Join(", ", declaration.Reshape)}]" : string.Empty)}, but the ONNX file has '{node}'.");
            }
        }
    }

    /// <summary>Same element type and rank, and every dimension equal where both fix it (-1 on either side takes any size).</summary>
    private static bool Agrees(TensorDeclaration declaration, NodeMetadata node)
    {
        var dims = declaration.Reshape.Count > 0 ? declaration.Reshape : declaration.Dimensions; // the file has the reshaped ones
        return node.IsTensor
            && declaration.ElementType == node.ElementType
            && dims.Count == node.Dimensions.Count
            && dims.Zip(node.Dimensions).All(p => p.First < 0 || p.Second < 0 || p.First == p.Second);
    }
}
