using ModelActors.Onnx;
using ModelActors.Onnx.Runtime;

namespace ModelActors.Tests.Onnx.Conformance;

/// <summary>
/// Runs the data sets of a case whose inputs or outputs are sequences or optionals through ModelActors'
/// <c>InferenceSession.Run</c> with <see cref="OnnxValue"/>s: sequences as <see cref="OnnxSequence"/>, an
/// optional without a value as <see cref="OnnxOptional.None"/>.
/// </summary>
internal static class SequenceCaseRunner
{
    /// <summary>Runs one test data set: null when it passes, else a failure or (for an input the package cannot create) a skip.</summary>
    public static (bool Skip, string Detail)? RunSet(InferenceSession session, GraphSignature signature, string set)
    {
        var inputs = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        var inputFiles = ConformanceRunner.DataFiles(set, "input_");
        for (var i = 0; i < inputFiles.Count; i++)
        {
            var declared = signature.Inputs[i];
            var value = ProtoValue.Read(File.ReadAllBytes(inputFiles[i]), declared.Kind);
            if (value.Sequence is { Count: 0 })
            {
                return (true, $"'{declared.Name}' is an empty sequence, which the package cannot create (OrtValue.CreateSequence needs one element)");
            }

            inputs[declared.Name] = ToValue(value);
        }

        var expected = ConformanceRunner.DataFiles(set, "output_")
            .Select((f, i) => (signature.Outputs[i].Name, Value: ProtoValue.Read(File.ReadAllBytes(f), signature.Outputs[i].Kind)))
            .ToList();
        IReadOnlyDictionary<string, OnnxValue> results;
        try
        {
            results = session.Run(inputs, [.. expected.Select(e => e.Name)]);
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or OnnxInputException)
        {
            return (false, $"{exception.GetType().Name}: {ConformanceRunner.FirstLine(exception.Message)}");
        }

        foreach (var (name, want) in expected)
        {
            if (Compare(results[name], want) is { } mismatch)
            {
                return (false, $"output '{name}' {mismatch}");
            }
        }

        return null;
    }

    private static OnnxValue ToValue(ProtoValue value) =>
        value.IsNone ? OnnxOptional.None
        : value.Tensor is { } tensor ? tensor
        : OnnxSequence.Create([.. value.Sequence!.Select(item => item.Tensor ?? throw new NotSupportedException("A sequence of sequences or optionals is not passed."))]);

    private static string? Compare(OnnxValue got, ProtoValue want)
    {
        if (got is OnnxOptional optional)
        {
            if (optional.Value is { } inner)
            {
                return want.IsNone ? "has a value, expected none" : Compare(inner, want);
            }

            return want.IsNone ? null : "is none, expected a value";
        }

        if (want.IsNone)
        {
            return $"is {got}, expected none";
        }

        if (want.Tensor is { } tensor)
        {
            if (got is not OnnxTensor actual)
            {
                return $"is {got}, expected a tensor";
            }

            if (!actual.Shape.SequenceEqual(tensor.Shape))
            {
                return $"has shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", tensor.Shape)}]";
            }

            return actual.ElementType != tensor.ElementType ? $"is {actual.ElementType}, expected {tensor.ElementType}" : ConformanceRunner.Compare(actual, tensor);
        }

        if (got is not OnnxSequence sequence)
        {
            return $"is {got}, expected a sequence";
        }

        if (sequence.Count != want.Sequence!.Count)
        {
            return $"holds {sequence.Count} values, expected {want.Sequence.Count}";
        }

        for (var i = 0; i < sequence.Count; i++)
        {
            if (Compare(sequence[i], want.Sequence[i]) is { } mismatch)
            {
                return $"[{i}] {mismatch}";
            }
        }

        return null;
    }
}
