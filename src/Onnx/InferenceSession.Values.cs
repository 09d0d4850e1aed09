using System.Runtime.InteropServices;
using ModelActors.Onnx.Runtime;
using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Onnx;

/// <summary>Runs with sequences and optionals as well as tensors.</summary>
public sealed partial class InferenceSession
{
    /// <summary>
    /// Runs the model on values of every kind it declares: tensors, sequences of tensors, and optionals
    /// (<see cref="OnnxOptional.None"/>, or an input declared optional left out, passes no value). Inputs are
    /// checked against the metadata first, as by <see cref="Run(IReadOnlyDictionary{string, OnnxTensor}, IReadOnlyList{string}?, CancellationToken)"/>;
    /// a sequence's tensors must hold its declared element type, and an input sequence must not be empty
    /// (ONNX Runtime's managed API cannot create an empty one).
    /// </summary>
    /// <param name="inputs">The inputs by name.</param>
    /// <param name="outputNames">The outputs to compute; all when null.</param>
    /// <param name="cancellationToken">Terminates the run (ONNX Runtime stops between operators).</param>
    /// <returns>The outputs by name, copied into managed memory: <see cref="OnnxTensor"/>, <see cref="OnnxSequence"/> or <see cref="OnnxOptional"/>, as the model declares each.</returns>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public IReadOnlyDictionary<string, OnnxValue> Run(IReadOnlyDictionary<string, OnnxValue> inputs, IReadOnlyList<string>? outputNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var given = ValidateValues(inputs);
        var outputs = CheckOutputNames(outputNames);
        var names = new string[given.Count];
        var values = new Ort.OrtValue?[given.Count];
        var pins = new List<GCHandle>();
        try
        {
            for (var i = 0; i < given.Count; i++)
            {
                names[i] = given[i].Name;
                values[i] = OrtValues.ToOrt(given[i].Value, pins);
            }

            return RunOrt(names, values!, outputs, null, (results, outputs) =>
            {
                var read = new Dictionary<string, OnnxValue>(outputs.Count, StringComparer.Ordinal);
                for (var o = 0; o < outputs.Count; o++)
                {
                    read[outputs[o]] = OrtValues.FromOrt(results[o], OutputMetadata[OutputIndex(outputs[o])]);
                }

                return read;
            }, cancellationToken);
        }
        finally
        {
            OrtValues.Release(values, pins);
        }
    }

    /// <summary>Checks every input against the metadata; returns the values to pass (optionals unwrapped, absent ones left out), in model order.</summary>
    private List<(string Name, OnnxValue Value)> ValidateValues(IReadOnlyDictionary<string, OnnxValue> inputs)
    {
        if (inputs.Count > InputMetadata.Count)
        {
            ThrowUnknownInput(inputs.Keys);
        }

        var given = new List<(string, OnnxValue)>(InputMetadata.Count);
        var found = 0;
        foreach (var expected in InputMetadata)
        {
            if (!inputs.TryGetValue(expected.Name, out var value))
            {
                if (expected.Kind == OnnxValueKind.Optional)
                {
                    continue;
                }

                ThrowUnknownInput(inputs.Keys);
                throw new OnnxInputException(expected.Name, $"Input '{expected.Name}' ({expected}) is missing.");
            }

            found++;
            ArgumentNullException.ThrowIfNull(value, expected.Name);
            if (Unwrapped(expected, value) is { } passed)
            {
                given.Add((expected.Name, passed));
            }
        }

        if (found < inputs.Count)
        {
            ThrowUnknownInput(inputs.Keys);
        }

        return given;
    }

    /// <summary>The value to pass for <paramref name="expected"/> after checking it; null for an optional without a value.</summary>
    private static OnnxValue? Unwrapped(NodeMetadata expected, OnnxValue value)
    {
        var name = expected.Name;
        switch (expected.Kind)
        {
            case OnnxValueKind.Tensor when value is OnnxTensor tensor:
                Check(expected, tensor);
                return tensor;
            case OnnxValueKind.Sequence when value is OnnxSequence sequence:
                if (sequence.Count == 0)
                {
                    throw new OnnxInputException(name, $"Input '{name}' ({expected}) is an empty sequence: ONNX Runtime's managed API cannot pass one; give at least one tensor.");
                }

                if (sequence.ElementType != expected.ElementType)
                {
                    throw new OnnxInputException(name, $"Input '{name}' must be a sequence of {expected.ElementType} tensors ({expected}), but a sequence of {sequence.ElementType} was given.");
                }

                return sequence;
            case OnnxValueKind.Optional:
                return value is OnnxOptional optional
                    ? optional.Value is { } inner ? Unwrapped(expected.Element!, inner) : null
                    : Unwrapped(expected.Element!, value);
            case OnnxValueKind.Tensor or OnnxValueKind.Sequence:
                throw new OnnxInputException(name, $"Input '{name}' ({expected}) takes {Article(expected.Kind)}, but {Article(value.Kind)} was given.");
            default:
                throw new OnnxInputException(name, $"Input '{name}' is a {expected.Kind}; ModelActors passes tensors, sequences of tensors and optionals of them.");
        }
    }

    private static string Article(OnnxValueKind kind) => kind switch
    {
        OnnxValueKind.Tensor => "a tensor",
        OnnxValueKind.Sequence => "a sequence",
        OnnxValueKind.Optional => "an optional",
        _ => kind.ToString(),
    };
}
