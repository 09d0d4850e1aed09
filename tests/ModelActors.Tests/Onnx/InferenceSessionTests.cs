using ModelActors.TestKit.Onnx;
using ModelActors.Onnx;
using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Tests.Onnx;

public sealed class InferenceSessionTests
{
    private static IReadOnlyDictionary<string, OnnxTensor> Inputs(params (string Name, OnnxTensor Tensor)[] inputs) =>
        inputs.ToDictionary(i => i.Name, i => i.Tensor);

    [Fact]
    public void InputsThatDisagreeOnADimensionTheModelNamesAlike_AreRefusedNamingBoth()
    {
        using var session = new InferenceSession(new OnnxGraphBuilder()
            .Input("a", TensorElementType.Float, "N", 3)
            .Input("b", TensorElementType.Float, "N", 3)
            .Node("Add", ["a", "b"], ["y"])
            .Output("y", TensorElementType.Float, "N", 3)
            .Build());

        var error = Assert.Throws<OnnxInputException>(() => session.Run(Inputs(("a", OnnxTensor.Create(new float[6], 2, 3)), ("b", OnnxTensor.Create(new float[9], 3, 3)))));
        var agreed = session.Run(Inputs(("a", OnnxTensor.Create(new float[6], 2, 3)), ("b", OnnxTensor.Create(new float[6], 2, 3))));

        Assert.Equal("b", error.InputName);
        Assert.Equal("Inputs 'a' and 'b' must agree on dimension 'N' (the model names both so), but 'a' has 2 and 'b' has 3.", error.Message);
        Assert.Equal([2L, 3L], agreed["y"].Shape);
    }

    [Fact]
    public void TheLibrary_IsThePackages_1_31_1()
    {
        Assert.Equal("1.31.1", InferenceSession.RuntimeVersion);
    }

    [Fact]
    public void Metadata_ReportsNamesTypesAndSymbolicDimensions()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());

        var x = Assert.Single(session.InputMetadata);
        Assert.Equal("x", x.Name);
        Assert.Equal(TensorElementType.Float, x.ElementType);
        Assert.Equal([-1L, 3L], x.Dimensions);
        Assert.Equal(["N", ""], x.SymbolicDimensions);
        Assert.Equal(["y"], session.OutputNames);
        Assert.Equal("y: Float[N, 2]", session.OutputMetadata[0].ToString());
    }

    [Fact]
    public void MatMulAdd_WithASymbolicBatch_ComputesEveryRow()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());
        float[] x = [1, 0, 0, 0, 1, 1, 2, -1, 0.5f];

        var y = session.Run(Inputs(("x", OnnxTensor.Create(x, 3, 3))))["y"];

        Assert.Equal([3L, 2L], y.Shape);
        Assert.Equal(TestModelFiles.LinearExpected(x), y.GetData<float>());
    }

    [Fact]
    public void Int64AndStringInputs_RoundTrip()
    {
        using var session = new InferenceSession(TestModelFiles.IdsAndWords());

        var outputs = session.Run(Inputs(
            ("ids", OnnxTensor.Create(new long[] { long.MaxValue, -7, 0 }, 3)),
            ("words", OnnxTensor.Create(new[] { "héllo", "", "wörld ✓" }, 3))));

        Assert.Equal([long.MaxValue, -7, 0], outputs["ids_out"].GetData<long>());
        Assert.Equal(["héllo", "", "wörld ✓"], outputs["words_out"].GetData<string>());
    }

    [Fact]
    public void TwoOutputs_ComeBackByName_AndCanBeChosen()
    {
        using var session = new InferenceSession(TestModelFiles.SumAndProduct());
        var inputs = Inputs(("a", OnnxTensor.Create(new float[] { 1, 2, 3, 4 }, 2, 2)), ("b", OnnxTensor.Create(new float[] { 5, 6, 7, 8 }, 2, 2)));

        var both = session.Run(inputs);
        var productOnly = session.Run(inputs, ["product"]);

        Assert.Equal([6f, 8, 10, 12], both["sum"].GetData<float>());
        Assert.Equal([5f, 12, 21, 32], both["product"].GetData<float>());
        Assert.Equal(["product"], productOnly.Keys);
    }

    public static TheoryData<OnnxTensor> EveryElementType => new()
    {
        OnnxTensor.Create(new float[] { 1.5f, -2 }, 2),
        OnnxTensor.Create(new double[] { 1e300, -2 }, 2),
        OnnxTensor.Create(new[] { (Half)1.5, (Half)(-0.25) }, 2),
        OnnxTensor.Create(new[] { (BFloat16)1.5f, (BFloat16)(-3e38f) }, 2),
        OnnxTensor.Create(new sbyte[] { sbyte.MinValue, 1 }, 2),
        OnnxTensor.Create(new short[] { short.MinValue, 1 }, 2),
        OnnxTensor.Create(new[] { int.MinValue, 1 }, 2),
        OnnxTensor.Create(new[] { long.MinValue, 1 }, 2),
        OnnxTensor.Create(new byte[] { 255, 1 }, 2),
        OnnxTensor.Create(new ushort[] { ushort.MaxValue, 1 }, 2),
        OnnxTensor.Create(new[] { uint.MaxValue, 1u }, 2),
        OnnxTensor.Create(new[] { ulong.MaxValue, 1ul }, 2),
        OnnxTensor.Create(new[] { true, false }, 2),
        OnnxTensor.Create(new[] { "a", "b" }, 2),
    };

    [Theory]
    [MemberData(nameof(EveryElementType))]
    public void EverySupportedElementType_RoundTripsThroughIdentity(OnnxTensor tensor)
    {
        using var session = new InferenceSession(TestModelFiles.Identity(tensor.ElementType));

        var output = session.Run(Inputs(("in", tensor)))["out"];

        Assert.Equal(tensor.ElementType, output.ElementType);
        Assert.Equal(tensor.Data.Cast<object>(), output.Data.Cast<object>());
    }

    [Fact]
    public void BFloat16_IsCastByOnnxRuntime_AsThePackagesTypeRounds()
    {
        float[] values = [1f, 1.00390625f, 1.01171875f, -2.5e-3f, 3.4e38f, float.NaN, float.NegativeInfinity];
        using var session = new InferenceSession(new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N")
            .Node("Cast", ["x"], ["y"], ("to", (long)TensorElementType.BFloat16))
            .Output("y", TensorElementType.BFloat16, "N")
            .Build());

        var cast = session.Run(Inputs(("x", OnnxTensor.Create(values, values.Length))))["y"].GetData<BFloat16>();

        // Bit for bit, but for NaN: the type makes every NaN one pattern, the Cast keeps the payload.
        Assert.Equal(values.Select(v => float.IsNaN(v) ? -1 : ((BFloat16)v).value), cast.Select(b => BFloat16.IsNaN(b) ? -1 : b.value));
        Assert.Equal(TensorElementType.BFloat16, session.OutputMetadata[0].ElementType);
    }

    [Fact]
    public void AnUnknownInputName_IsRejectedBeforeRun_NamingTheInputs()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());

        var error = Assert.Throws<OnnxInputException>(() => session.Run(Inputs(("X", OnnxTensor.Create(new float[3], 1, 3)))));

        Assert.Equal("X", error.InputName);
        Assert.Contains("no input 'X'. Inputs: x: Float[N, 3]", error.Message);
    }

    [Fact]
    public void AWrongElementType_IsRejectedBeforeRun()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());

        var error = Assert.Throws<OnnxInputException>(() => session.Run(Inputs(("x", OnnxTensor.Create(new int[3], 1, 3)))));

        Assert.Contains("Input 'x' must hold Float elements, but a Int32 tensor was given", error.Message);
    }

    [Fact]
    public void AWrongRankOrFixedDimension_IsRejectedBeforeRun()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());

        var rank = Assert.Throws<OnnxInputException>(() => session.Run(Inputs(("x", OnnxTensor.Create(new float[3], 3)))));
        var dim = Assert.Throws<OnnxInputException>(() => session.Run(Inputs(("x", OnnxTensor.Create(new float[4], 1, 4)))));

        Assert.Contains("must have rank 2", rank.Message);
        Assert.Contains("dimension 1 must be 3", dim.Message);
    }

    [Fact]
    public void AMissingInput_IsRejectedBeforeRun()
    {
        using var session = new InferenceSession(TestModelFiles.SumAndProduct());

        var error = Assert.Throws<OnnxInputException>(() => session.Run(Inputs(("a", OnnxTensor.Create(new float[2], 1, 2)))));

        Assert.Equal("b", error.InputName);
        Assert.Contains("is missing", error.Message);
    }

    [Fact]
    public void AnUnknownOutputName_IsRejected()
    {
        using var session = new InferenceSession(TestModelFiles.SumAndProduct());
        var inputs = Inputs(("a", OnnxTensor.Create(new float[2], 1, 2)), ("b", OnnxTensor.Create(new float[2], 1, 2)));

        var error = Assert.Throws<ArgumentException>(() => session.Run(inputs, ["difference"]));

        Assert.Contains("no output 'difference'", error.Message);
    }

    [Fact]
    public void GarbageModelBytes_FailWithOrtsCodeAndMessage()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession([1, 2, 3, 4, 5]));

        Assert.Equal(OrtErrorCode.InvalidProtobuf, error.ErrorCode);
        Assert.StartsWith("[InvalidProtobuf]", error.Message);
    }

    [Fact]
    public void AMissingModelFile_FailsWithNoSuchFile()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession("/nonexistent/model.onnx"));

        Assert.Equal(OrtErrorCode.NoSuchFile, error.ErrorCode);
    }

    [Fact]
    public void AnUnknownErrorCode_IsKeptAsItsNumber()
    {
        var error = new OnnxRuntimeException((OrtErrorCode)42, "future");

        Assert.Equal("[OrtErrorCode 42] future", error.Message);
    }

    [Fact]
    public void InvalidSessionOptions_AreRejectedBeforeAnyNativeCall()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession(TestModelFiles.Linear(), new OnnxSessionOptions { IntraOpNumThreads = -5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession(TestModelFiles.Linear(), new OnnxSessionOptions { GraphOptimizationLevel = (GraphOptimizationLevel)7 }));
    }

    [Fact]
    public void SessionOptions_AreApplied()
    {
        using var session = new InferenceSession(TestModelFiles.Linear(), new OnnxSessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.DisableAll,
            ExecutionMode = ExecutionMode.Parallel,
        });

        Assert.Equal(TestModelFiles.LinearExpected([1, 1, 1]), session.Run(Inputs(("x", OnnxTensor.Create(new float[] { 1, 1, 1 }, 1, 3))))["y"].GetData<float>());
    }

    [Fact]
    public void ASessionLoadedFromAFile_Works()
    {
        var path = Path.Combine(Path.GetTempPath(), $"modelactors-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, TestModelFiles.Linear());
        try
        {
            using var session = new InferenceSession(path);
            Assert.Equal(["x"], session.InputNames);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ACancelledToken_StopsTheRun()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());

        Assert.Throws<OperationCanceledException>(() => session.Run(Inputs(("x", OnnxTensor.Create(new float[3], 1, 3))), cancellationToken: new CancellationToken(true)));
    }

    [Fact]
    public async Task ConcurrentRuns_OnOneSession_AreAllCorrect()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());

        var workers = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                float[] x = [t, i, t - i, 1, 2, 3];
                var y = session.Run(Inputs(("x", OnnxTensor.Create(x, 2, 3))))["y"].GetData<float>();
                Assert.Equal(TestModelFiles.LinearExpected(x), y);
            }
        })).ToArray();

        await Task.WhenAll(workers);
    }
}
