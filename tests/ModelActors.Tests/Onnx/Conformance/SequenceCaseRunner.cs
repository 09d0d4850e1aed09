using System.Runtime.InteropServices;
using ModelActors.Onnx;
using ModelActors.Onnx.Runtime;
using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Tests.Onnx.Conformance;

/// <summary>
/// Runs a case whose inputs or outputs are sequences or optionals straight on the ONNX Runtime package
/// (ModelActors' <c>InferenceSession</c> takes tensors only): sequences through <c>OrtValue.CreateSequence</c>,
/// an optional without a value left out of the inputs.
/// </summary>
internal static class SequenceCaseRunner
{
    public static CaseResult Run(string name, string caseDirectory, byte[] modelBytes, GraphSignature signature)
    {
        Ort.InferenceSession session;
        try
        {
            session = OrtErrors.Call(() => new Ort.InferenceSession(modelBytes));
        }
        catch (OnnxRuntimeException exception)
        {
            return CaseResult.Skipped(name, $"ONNX Runtime {InferenceSession.RuntimeVersion} cannot load it: {ConformanceRunner.FirstLine(exception.Message)}");
        }

        using (session)
        {
            var sets = Directory.GetDirectories(caseDirectory, "test_data_set_*").Order(StringComparer.Ordinal).ToList();
            foreach (var set in sets)
            {
                var outcome = RunSet(session, signature, set);
                if (outcome is { Skip: true })
                {
                    return CaseResult.Skipped(name, outcome.Value.Detail);
                }

                if (outcome is { } failure)
                {
                    return CaseResult.Failed(name, $"{Path.GetFileName(set)}: {failure.Detail}");
                }
            }

            return CaseResult.Passed(name, sets.Count);
        }
    }

    private static (bool Skip, string Detail)? RunSet(Ort.InferenceSession session, GraphSignature signature, string set)
    {
        var names = new List<string>();
        var values = new List<Ort.OrtValue>();
        try
        {
            var inputFiles = ConformanceRunner.DataFiles(set, "input_");
            for (var i = 0; i < inputFiles.Count; i++)
            {
                var declared = signature.Inputs[i];
                var value = ProtoValue.Read(File.ReadAllBytes(inputFiles[i]), declared.Kind);
                if (value.IsNone)
                {
                    continue; // an optional without a value is left out
                }

                if (value.Sequence is { Count: 0 })
                {
                    return (true, $"'{declared.Name}' is an empty sequence, which the package cannot create (OrtValue.CreateSequence needs one element)");
                }

                names.Add(declared.Name);
                values.Add(ToOrt(value));
            }

            var expected = ConformanceRunner.DataFiles(set, "output_")
                .Select((f, i) => (signature.Outputs[i].Name, Value: ProtoValue.Read(File.ReadAllBytes(f), signature.Outputs[i].Kind)))
                .ToList();
            using var runOptions = new Ort.RunOptions();
            Ort.IDisposableReadOnlyCollection<Ort.OrtValue> results;
            try
            {
                results = session.Run(runOptions, names, values, [.. expected.Select(e => e.Name)]);
            }
            catch (Ort.OnnxRuntimeException exception)
            {
                return (false, $"OnnxRuntimeException: {ConformanceRunner.FirstLine(exception.Message)}");
            }

            using (results)
            {
                for (var o = 0; o < expected.Count; o++)
                {
                    var mismatch = Compare(results[o], expected[o].Value);
                    if (mismatch is not null)
                    {
                        return (false, $"output '{expected[o].Name}' {mismatch}");
                    }
                }
            }

            return null;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static string? Compare(Ort.OrtValue got, ProtoValue want)
    {
        if (want.IsNone)
        {
            return got.OnnxType is Ort.OnnxValueType.ONNX_TYPE_OPTIONAL or Ort.OnnxValueType.ONNX_TYPE_UNKNOWN ? null : $"is a {got.OnnxType}, expected none";
        }

        if (want.Tensor is { } tensor)
        {
            if (!got.IsTensor)
            {
                return $"is a {got.OnnxType}, expected a tensor";
            }

            var actual = OrtValues.FromOrt(got, "output");
            if (!actual.Shape.SequenceEqual(tensor.Shape))
            {
                return $"has shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", tensor.Shape)}]";
            }

            return actual.ElementType != tensor.ElementType ? $"is {actual.ElementType}, expected {tensor.ElementType}" : ConformanceRunner.Compare(actual, tensor);
        }

        if (got.OnnxType != Ort.OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            return $"is a {got.OnnxType}, expected a sequence";
        }

        var count = got.GetValueCount();
        if (count != want.Sequence!.Count)
        {
            return $"holds {count} values, expected {want.Sequence.Count}";
        }

        for (var i = 0; i < count; i++)
        {
            using var item = got.GetValue(i, Ort.OrtAllocator.DefaultInstance);
            if (Compare(item, want.Sequence[i]) is { } mismatch)
            {
                return $"[{i}] {mismatch}";
            }
        }

        return null;
    }

    /// <summary>An ORT-owned value holding a copy of <paramref name="value"/> (a sequence takes its elements over).</summary>
    private static Ort.OrtValue ToOrt(ProtoValue value)
    {
        if (value.Tensor is { } tensor)
        {
            return Copy(tensor);
        }

        var items = new List<Ort.OrtValue>();
        try
        {
            foreach (var item in value.Sequence!)
            {
                items.Add(ToOrt(item));
            }

            return Ort.OrtValue.CreateSequence(items);
        }
        catch
        {
            foreach (var item in items)
            {
                item.Dispose();
            }

            throw;
        }
    }

    private static Ort.OrtValue Copy(OnnxTensor tensor)
    {
        var shape = tensor.Shape.ToArray();
        if (tensor.ElementType == TensorElementType.String)
        {
            var strings = Ort.OrtValue.CreateTensorWithEmptyStrings(Ort.OrtAllocator.DefaultInstance, shape);
            var data = (string[])tensor.Data;
            for (var i = 0; i < data.Length; i++)
            {
                strings.StringTensorSetElementAt(data[i].AsSpan(), i);
            }

            return strings;
        }

        var value = Ort.OrtValue.CreateAllocatedTensorValue(Ort.OrtAllocator.DefaultInstance, (Ort.Tensors.TensorElementType)(int)tensor.ElementType, shape);
        var bytes = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(tensor.Data), (int)(tensor.Data.LongLength * OrtValues.ElementSize(tensor.ElementType)));
        bytes.CopyTo(value.GetTensorMutableRawData());
        return value;
    }
}
