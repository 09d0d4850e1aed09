using ModelActors.Onnx;

namespace ModelActors.Host.V2;

/// <summary>
/// What a v2 request must agree with, whichever protocol carries it (JSON over HTTP or gRPC): a known datatype,
/// the model's input names and element types, every input given, known output names. Each refusal names the
/// model and the input or output.
/// </summary>
internal static class V2Signature
{
    /// <summary>The element type of a v2 <paramref name="datatype"/> given for input <paramref name="name"/>.</summary>
    public static TensorElementType ParseDatatype(string model, string name, string datatype) =>
        V2Datatypes.TryParse(datatype, out var type)
            ? type
            : throw new InferRequestException($"Model '{model}': input '{name}' has datatype '{datatype}', which is not one of {V2Datatypes.Names}.");

    /// <summary>Checks that the model has input <paramref name="name"/> and that it takes <paramref name="type"/> elements (nothing to check without a signature).</summary>
    public static void CheckInput(TensorSignature? signature, string model, string name, TensorElementType type, string datatype)
    {
        if (signature is null)
        {
            return;
        }

        var expected = signature.Inputs.FirstOrDefault(i => i.Name == name)
            ?? throw new InferRequestException($"Model '{model}' has no input '{name}'. Its inputs are {Describe(signature.Inputs)}.");
        if (expected.ElementType != type)
        {
            throw new InferRequestException($"Model '{model}': input '{name}' is {V2Datatypes.NameOf(expected.ElementType)}, but the request sends {datatype}.");
        }
    }

    /// <summary>Checks that every input of the model was given.</summary>
    public static void CheckComplete(TensorSignature? signature, string model, OnnxTensors inputs)
    {
        if (signature?.Inputs.Where(i => !inputs.ContainsKey(i.Name)).Select(i => $"'{i.Name}'").ToList() is { Count: > 0 } missing)
        {
            throw new InferRequestException($"Model '{model}': input {string.Join(", ", missing)} is missing. The model's inputs are {Describe(signature.Inputs)}.");
        }
    }

    /// <summary>Checks that the model has output <paramref name="name"/>.</summary>
    public static void CheckOutput(TensorSignature? signature, string model, string name)
    {
        if (signature is not null && signature.Outputs.All(o => o.Name != name))
        {
            throw new InferRequestException($"Model '{model}' has no output '{name}'. Its outputs are {Describe(signature.Outputs)}.");
        }
    }

    /// <summary>
    /// Why the model's answer lacks an output the request asked for (a model without a signature is checked only
    /// once it has answered), or null when every one is there.
    /// </summary>
    public static string? MissingOutput(string model, IReadOnlyList<string>? requested, OnnxTensors outputs) =>
        requested?.FirstOrDefault(name => !outputs.ContainsKey(name)) is { } missing
            ? $"Model '{model}' has no output '{missing}'. Its outputs are {string.Join(", ", outputs.Keys)}."
            : null;

    private static string Describe(IReadOnlyList<NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(n => $"'{n.Name}' {V2Datatypes.NameOf(n.ElementType)} [{string.Join(", ", n.Dimensions)}]"));
}
