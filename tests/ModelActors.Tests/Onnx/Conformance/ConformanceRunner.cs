using ModelActors.Onnx.Runtime;
using ModelActors.Onnx;
using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Tests.Onnx.Conformance;

/// <summary>Runs one ONNX backend node test case through InferenceSession (on the ONNX Runtime package) and compares with its expected outputs (ONNX's tolerance: rtol 1e-3, atol 1e-7; exact for integers, bools and strings).</summary>
internal static class ConformanceRunner
{
    public const double RelativeTolerance = 1e-3;
    public const double AbsoluteTolerance = 1e-7;

    /// <summary>
    /// Cases where ONNX Runtime itself disagrees with ONNX 1.12's expected data, for reasons outside the
    /// session. They count as skipped (with the observed difference) only when they do differ.
    /// </summary>
    private static readonly (string Prefix, string Reason)[] KnownDeviations =
    [
        ("test_bernoulli", "random sampling: the expected output is one numpy draw; ONNX Runtime draws its own numbers"),
        ("test_training_dropout", "random dropout mask in training mode: the expected output is one numpy draw"),
        ("test_cast_FLOAT_to_STRING", "float-to-string formatting: ONNX Runtime prints 9 significant digits, the expected strings use numpy's shortest form (same value)"),
        ("test_castlike_FLOAT_to_STRING", "float-to-string formatting: ONNX Runtime prints 9 significant digits, the expected strings use numpy's shortest form (same value)"),
        ("test_cast_FLOAT_to_BFLOAT16", "ONNX 1.12's expected bfloat16 values are the inputs' upper 16 bits (truncation); ONNX Runtime rounds to nearest even, one unit higher where the cut-off bits are above half"),
        ("test_castlike_BFLOAT16_to_FLOAT", "the test data's 'like' tensor has shape [1] where the graph declares [3, 4]; InferenceSession's input check rejects inputs that contradict the model's declared shape before running"),
        ("test_castlike_FLOAT_to_BFLOAT16", "the test data's 'like' tensor has shape [1] where the graph declares [3, 4]; InferenceSession's input check rejects inputs that contradict the model's declared shape before running"),
        ("test_dft", "FFT rounding: exact zeros are expected where ONNX Runtime leaves ~1e-5 residue, above atol 1e-7"),
        ("test_stft", "FFT rounding: exact zeros are expected where ONNX Runtime leaves ~1e-6 residue, above atol 1e-7"),
        ("test_maxunpool_export_with_output_shape", "invalid expected output in the ONNX test (onnx/onnx#2398); excluded by ONNX Runtime's own backend test filters"),
        ("test_resize_downsample_scales_cubic_align_corners", "ONNX Runtime's result differs from ONNX 1.12's reference; excluded by ONNX Runtime's own backend test filters"),
        ("test_resize_downsample_scales_linear_align_corners", "ONNX Runtime's result differs from ONNX 1.12's reference; excluded by ONNX Runtime's own backend test filters"),
    ];

    public static CaseResult Run(string caseDirectory)
    {
        var result = RunCase(caseDirectory);
        if (result.Outcome == "failed" && KnownDeviations.FirstOrDefault(d => result.Name.StartsWith(d.Prefix, StringComparison.Ordinal)) is { Reason: { } reason })
        {
            return CaseResult.Skipped(result.Name, $"{reason} (observed: {result.Detail})");
        }

        return result;
    }

    private static CaseResult RunCase(string caseDirectory)
    {
        var name = Path.GetFileName(caseDirectory);
        var modelBytes = File.ReadAllBytes(Path.Combine(caseDirectory, "model.onnx"));
        var signature = GraphSignature.Read(modelBytes);
        Func<InferenceSession, string, (bool Skip, string Detail)?> runSet;
        if (signature.Inputs.Concat(signature.Outputs).Any(v => v.Kind is "sequence" or "optional"))
        {
            runSet = (session, set) => SequenceCaseRunner.RunSet(session, signature, set);
        }
        else
        {
            foreach (var value in signature.Inputs.Concat(signature.Outputs))
            {
                if (value.Kind != "tensor")
                {
                    return CaseResult.Skipped(name, $"'{value.Name}' is a {value.Kind}, not a plain tensor");
                }

                if (!TensorElementTypes.IsSupported(value.ElementType))
                {
                    return CaseResult.Skipped(name, $"'{value.Name}' has element type {ElementTypeName(value.ElementType)}, which ModelActors' OnnxTensor has no .NET array type for");
                }
            }

            runSet = (session, set) => RunSet(session, signature, set) is { } failure ? (false, failure) : null;
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(modelBytes);
        }
        catch (OnnxRuntimeException exception) when (exception.ErrorCode is OrtErrorCode.NotImplemented or OrtErrorCode.InvalidGraph or OrtErrorCode.Fail)
        {
            return CaseResult.Skipped(name, $"ONNX Runtime {ModelActors.Onnx.InferenceSession.RuntimeVersion} cannot load it: {FirstLine(exception.Message)}");
        }

        using (session)
        {
            var sets = Directory.GetDirectories(caseDirectory, "test_data_set_*").Order(StringComparer.Ordinal).ToList();
            foreach (var set in sets)
            {
                switch (runSet(session, set))
                {
                    case { Skip: true } skip:
                        return CaseResult.Skipped(name, skip.Detail);
                    case { } failure:
                        return CaseResult.Failed(name, $"{Path.GetFileName(set)}: {failure.Detail}");
                }
            }

            return CaseResult.Passed(name, sets.Count);
        }
    }

    private static string? RunSet(InferenceSession session, GraphSignature signature, string set)
    {
        var inputs = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputFiles = DataFiles(set, "input_");
        for (var i = 0; i < inputFiles.Count; i++)
        {
            var (name, tensor) = TensorProtoReader.Read(File.ReadAllBytes(inputFiles[i]));
            var key = name.Length > 0 ? name : signature.Inputs[i].Name;
            inputs[key] = AsDeclared(tensor, signature.Inputs.FirstOrDefault(v => v.Name == key));
        }

        var expected = DataFiles(set, "output_")
            .Select((f, i) =>
            {
                var (name, tensor) = TensorProtoReader.Read(File.ReadAllBytes(f));
                var key = name.Length > 0 ? name : signature.Outputs[i].Name;
                return (Name: key, Tensor: AsDeclared(tensor, signature.Outputs.FirstOrDefault(v => v.Name == key)));
            })
            .ToList();

        IReadOnlyDictionary<string, OnnxTensor> actual;
        try
        {
            actual = session.Run(inputs, [.. expected.Select(e => e.Name)]);
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or OnnxInputException)
        {
            return $"{exception.GetType().Name}: {FirstLine(exception.Message)}";
        }

        foreach (var (name, want) in expected)
        {
            var got = actual[name];
            if (!got.Shape.SequenceEqual(want.Shape))
            {
                return $"output '{name}' has shape [{string.Join(", ", got.Shape)}], expected [{string.Join(", ", want.Shape)}]";
            }

            if (got.ElementType != want.ElementType)
            {
                return $"output '{name}' is {got.ElementType}, expected {want.ElementType}";
            }

            var mismatch = Compare(got, want);
            if (mismatch is not null)
            {
                return $"output '{name}' {mismatch}";
            }
        }

        return null;
    }

    /// <summary>
    /// ONNX 1.12 stores its bfloat16 test tensors as uint16 bit patterns (numpy has no bfloat16): where the
    /// graph declares bfloat16, those bits are read as bfloat16 values.
    /// </summary>
    private static OnnxTensor AsDeclared(OnnxTensor tensor, GraphSignature.Value? declared) =>
        declared?.ElementType == (int)TensorElementType.BFloat16 && tensor.ElementType == TensorElementType.UInt16
            ? OnnxTensor.Create([.. tensor.GetData<ushort>().Select(b => new BFloat16(b))], [.. tensor.Shape])
            : tensor;

    internal static string? Compare(OnnxTensor got, OnnxTensor want)
    {
        for (var i = 0; i < want.Data.Length; i++)
        {
            var a = got.Data.GetValue(i);
            var b = want.Data.GetValue(i);
            var close = (a, b) switch
            {
                (float x, float y) => Close(x, y),
                (double x, double y) => Close(x, y),
                (Half x, Half y) => Close((double)x, (double)y),
                (BFloat16 x, BFloat16 y) => Close((float)x, (float)y),
                _ => Equals(a, b),
            };
            if (!close)
            {
                return $"differs at element {i}: got {Show(a)}, expected {Show(b)}";
            }
        }

        return null;
    }

    /// <summary>A value as the report shows it (ONNX Runtime's BFloat16 prints its bits too; the report shows the number).</summary>
    private static object? Show(object? value) => value is BFloat16 b ? (float)b : value;

    private static bool Close(double actual, double expected) =>
        (double.IsNaN(actual) && double.IsNaN(expected))
        || actual == expected
        || Math.Abs(actual - expected) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(expected));

    /// <summary>A data set's <c>{prefix}N.pb</c> files in the order of N.</summary>
    internal static List<string> DataFiles(string set, string prefix) =>
        [.. Directory.GetFiles(set, prefix + "*.pb").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture))];

    internal static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static string ElementTypeName(int type) => type switch
    {
        14 => "complex64",
        15 => "complex128",
        16 => "bfloat16",
        17 => "float8e4m3fn",
        18 => "float8e4m3fnuz",
        19 => "float8e5m2",
        20 => "float8e5m2fnuz",
        21 => "uint4",
        22 => "int4",
        _ => type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>What happened to one conformance case.</summary>
internal sealed record CaseResult(string Name, string Outcome, string Detail)
{
    public static CaseResult Passed(string name, int sets) => new(name, "passed", $"{sets} data set(s)");

    public static CaseResult Failed(string name, string detail) => new(name, "failed", detail);

    public static CaseResult Skipped(string name, string reason) => new(name, "skipped", reason);
}
