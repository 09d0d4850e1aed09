using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>Sequences of tensors and optionals, as inputs and outputs of <see cref="InferenceSession"/>, and what is refused.</summary>
public sealed class SequenceAndOptionalTests : OnnxModelFiles
{
    private static OnnxTensor Floats(params float[] values) => OnnxTensor.Create(values, values.Length);

    private static IReadOnlyDictionary<string, OnnxValue> Values(params (string Name, OnnxValue Value)[] inputs) =>
        inputs.ToDictionary(i => i.Name, i => i.Value);

    /// <summary>seq(float) "s" → ConcatFromSequence along axis 0 → float "y".</summary>
    private static byte[] ConcatSequence() => new OnnxGraphBuilder()
        .SequenceInput("s", TensorElementType.Float)
        .Node("ConcatFromSequence", ["s"], ["y"], ("axis", 0L))
        .Output("y", TensorElementType.Float, "N")
        .Build();

    /// <summary>float "x" [N] → SplitToSequence into size-1 parts → seq(float) "parts"; and SequenceEmpty → seq(float) "none".</summary>
    private static byte[] SplitAndEmpty() => new OnnxGraphBuilder()
        .Input("x", TensorElementType.Float, "N")
        .Node("SplitToSequence", ["x"], ["parts"])
        .Node("SequenceEmpty", [], ["none"], ("dtype", (long)TensorElementType.Float))
        .SequenceOutput("parts", TensorElementType.Float)
        .SequenceOutput("none", TensorElementType.Float)
        .Build();

    /// <summary>optional(float [N]) "o" → OptionalHasElement → bool "has"; and Optional(x) → optional(float) "wrapped".</summary>
    private static byte[] OptionalModel() => new OnnxGraphBuilder(opset: 15)
        .OptionalInput("o", TensorElementType.Float, dims: "N")
        .Input("x", TensorElementType.Float, "M")
        .Node("OptionalHasElement", ["o"], ["has"])
        .Node("Optional", ["x"], ["wrapped"])
        .Output("has", TensorElementType.Bool)
        .OptionalOutput("wrapped", TensorElementType.Float, dims: "M")
        .Build();

    [Fact]
    public void ASequenceInput_IsPassed_AndItsTensorsKeepTheirOwnShapes()
    {
        using var session = new InferenceSession(ConcatSequence());

        var y = session.Run(Values(("s", OnnxSequence.Create(Floats(1, 2), Floats(3), Floats(4, 5, 6)))))["y"];

        Assert.Equal([1f, 2, 3, 4, 5, 6], Assert.IsType<OnnxTensor>(y).GetData<float>());
    }

    [Fact]
    public void SequenceOutputs_AreCopiedOut_EmptyOnesWithTheirDeclaredElementType()
    {
        using var session = new InferenceSession(SplitAndEmpty());

        var outputs = session.Run(Values(("x", Floats(7, 8, 9))));

        var parts = Assert.IsType<OnnxSequence>(outputs["parts"]);
        Assert.Equal(TensorElementType.Float, parts.ElementType);
        Assert.Equal([[7f], [8f], [9f]], parts.Select(p => p.GetData<float>()));
        var none = Assert.IsType<OnnxSequence>(outputs["none"]);
        Assert.Empty(none);
        Assert.Equal(TensorElementType.Float, none.ElementType);
    }

    [Fact]
    public void Metadata_DescribesSequencesAndOptionals_WithTheTensorsInside()
    {
        using var session = new InferenceSession(OptionalModel());
        using var sequences = new InferenceSession(ConcatSequence());

        var o = session.InputMetadata[0];
        Assert.Equal(OnnxValueKind.Optional, o.Kind);
        Assert.False(o.IsTensor);
        Assert.Equal(TensorElementType.Float, o.ElementType);
        Assert.Equal(OnnxValueKind.Tensor, o.Element!.Kind);
        Assert.Equal("o: optional(Float[N])", o.ToString());
        Assert.Equal("s: seq(Float[])", sequences.InputMetadata[0].ToString());
        Assert.Equal(OnnxValueKind.Sequence, sequences.InputMetadata[0].Kind);
        Assert.Equal(OnnxValueKind.Tensor, session.InputMetadata[1].Kind);
    }

    [Fact]
    public void AnOptionalInput_TakesNone_LeftOut_TheBareValue_OrAWrappedOne()
    {
        using var session = new InferenceSession(OptionalModel());
        var x = Floats(1, 2);

        bool Has(IReadOnlyDictionary<string, OnnxValue> inputs) => ((OnnxTensor)session.Run(inputs, ["has"])["has"]).GetData<bool>()[0];

        Assert.False(Has(Values(("o", OnnxOptional.None), ("x", x))));
        Assert.False(Has(Values(("x", x))));
        Assert.True(Has(Values(("o", Floats(3)), ("x", x))));
        Assert.True(Has(Values(("o", OnnxOptional.Of(Floats(3))), ("x", x))));
    }

    [Fact]
    public void AnOptionalOutput_ComesBackAsAnOptional_HoldingItsValue()
    {
        using var session = new InferenceSession(OptionalModel());

        var wrapped = Assert.IsType<OnnxOptional>(session.Run(Values(("x", Floats(4, 5))), ["wrapped"])["wrapped"]);

        Assert.True(wrapped.HasValue);
        Assert.Equal([4f, 5], Assert.IsType<OnnxTensor>(wrapped.Value).GetData<float>());
    }

    [Fact]
    public void WrongKinds_EmptySequences_AndWrongElementTypes_AreRefusedBeforeTheRun_NamingTheInput()
    {
        using var session = new InferenceSession(ConcatSequence());
        using var optional = new InferenceSession(OptionalModel());

        var tensorForSequence = Assert.Throws<OnnxInputException>(() => session.Run(Values(("s", Floats(1)))));
        var empty = Assert.Throws<OnnxInputException>(() => session.Run(Values(("s", OnnxSequence.Empty(TensorElementType.Float)))));
        var ints = Assert.Throws<OnnxInputException>(() => session.Run(Values(("s", OnnxSequence.Create(OnnxTensor.Create(new[] { 1L }, 1))))));
        var missing = Assert.Throws<OnnxInputException>(() => session.Run(Values()));
        var unknown = Assert.Throws<OnnxInputException>(() => session.Run(Values(("s", OnnxSequence.Create(Floats(1))), ("t", Floats(1)))));
        var sequenceForOptionalTensor = Assert.Throws<OnnxInputException>(() => optional.Run(Values(("o", OnnxSequence.Create(Floats(1))), ("x", Floats(1)))));

        Assert.All(new[] { tensorForSequence, empty, ints, missing }, e => Assert.Equal("s", e.InputName));
        Assert.Equal("Input 's' (s: seq(Float[])) takes a sequence, but a tensor was given.", tensorForSequence.Message);
        Assert.Contains("is an empty sequence", empty.Message);
        Assert.Equal("Input 's' must be a sequence of Float tensors (s: seq(Float[])), but a sequence of Int64 was given.", ints.Message);
        Assert.Contains("is missing", missing.Message);
        Assert.Equal("t", unknown.InputName);
        Assert.Equal("o", sequenceForOptionalTensor.InputName);
        Assert.Contains("takes a tensor, but a sequence was given", sequenceForOptionalTensor.Message);
    }

    [Fact]
    public void TheTensorRun_RefusesSequenceInputsAndOutputs_PointingToOnnxValues()
    {
        using var concat = new InferenceSession(ConcatSequence());
        using var split = new InferenceSession(SplitAndEmpty());

        var input = Assert.Throws<OnnxInputException>(() => concat.Run(new Dictionary<string, OnnxTensor> { ["s"] = Floats(1) }));
        var output = Assert.Throws<ArgumentException>(() => split.Run(new Dictionary<string, OnnxTensor> { ["x"] = Floats(1) }));

        Assert.Contains("not a tensor input: run the model with OnnxValue inputs", input.Message);
        Assert.Contains("Output 'parts' (parts: seq(Float[])) is not a tensor", output.Message);
    }

    [Fact]
    public void SequenceBuilding_RefusesMixedElementTypes_AndNothing()
    {
        Assert.Throws<ArgumentException>(() => OnnxSequence.Create());
        var mixed = Assert.Throws<ArgumentException>(() => OnnxSequence.Create(Floats(1), OnnxTensor.Create(new[] { 1L }, 1)));
        Assert.Contains("Tensor 1 of the sequence holds Int64 elements", mixed.Message);
        Assert.Throws<ArgumentException>(() => OnnxOptional.Of(OnnxOptional.None));
    }

    [Fact]
    public async Task OnnxModel_RefusesAModelWithSequences_AtLoad_NamingTheInput()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("concat", Save("concat.onnx", ConcatSequence()))
            .Configure(o => o.LoadRetries = 0)
            .Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => library.LoadAsync());

        var refused = Assert.IsType<ModelRegistrationException>(error.InnerException);
        Assert.Contains("Model 'concat' (OnnxModel): input 's' is seq(Float[]); OnnxModel takes and returns tensors only.", refused.Message);
    }

    [Fact]
    public void ASequenceRun_OnADisposedSession_IsRefused()
    {
        var session = new InferenceSession(ConcatSequence());
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Run(Values(("s", OnnxSequence.Create(Floats(1))))));
    }
}
