using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>
/// Outputs whose shapes the metadata gives before a run are written by ONNX Runtime straight into the arrays the run
/// returns; a model whose metadata promises other shapes than it makes is still answered right, the usual way.
/// </summary>
public sealed class OutputBufferTests
{
    [Fact]
    public void OutputsWithShapesFromTheInputs_AreWrittenInPlace_AndRight()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());
        float[] x = [1, 0, 0, 0, 1, 1, 2, -1, 0.5f];

        var y = session.Run(new OnnxTensors { ["x"] = OnnxTensor.Create(x, 3, 3) })["y"];

        Assert.Equal(1, session.RunsWrittenInPlace);
        Assert.Equal([3L, 2L], y.Shape);
        Assert.Equal(TestModelFiles.LinearExpected(x), y.GetData<float>());
    }

    [Fact]
    public void AnOutputThatIsAnInputPassedThrough_ComesBackWithTheInputsValues()
    {
        // ONNX Runtime hands such an output back as the input's value and never writes a buffer given for it.
        var model = new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N", 512)
            .Node("Relu", ["x"], ["y"])
            .Output("x", TensorElementType.Float, "N", 512)
            .Output("y", TensorElementType.Float, "N", 512)
            .Build();
        using var session = new InferenceSession(model);
        var x = Enumerable.Range(1, 1024).Select(i => (float)i).ToArray(); // 4 KB: an unwritten array would not be zeros

        var outputs = session.Run(new OnnxTensors { ["x"] = OnnxTensor.Create(x, 2, 512) });

        Assert.Equal(x, outputs["x"].GetData<float>());
        Assert.Equal(x, outputs["y"].GetData<float>());
        Assert.Equal(0, session.RunsWrittenInPlace);
    }

    [Fact]
    public void AConstantOutput_AndAnIdentityOfAnInput_AreWrittenInPlace()
    {
        var model = new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N", 2)
            .Initializer("c", new float[] { 5, 6 }, 2)
            .Node("Add", ["x", "c"], ["y"])
            .Node("Identity", ["x"], ["z"])
            .Output("c", TensorElementType.Float, 2)
            .Output("y", TensorElementType.Float, "N", 2)
            .Output("z", TensorElementType.Float, "N", 2)
            .Build();
        using var session = new InferenceSession(model);

        var outputs = session.Run(new OnnxTensors { ["x"] = OnnxTensor.Create(new float[] { 1, 2, 3, 4 }, 2, 2) });

        Assert.Equal(1, session.RunsWrittenInPlace);
        Assert.Equal([5f, 6], outputs["c"].GetData<float>());
        Assert.Equal([6f, 8, 8, 10], outputs["y"].GetData<float>());
        Assert.Equal([1f, 2, 3, 4], outputs["z"].GetData<float>());
    }

    [Fact]
    public void AnOutputNamedTwice_OrACancelledRun_LeavesTheSessionWritingInPlace()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());
        float[] x = [1, 0, 0, 0, 1, 1];
        var inputs = new OnnxTensors { ["x"] = OnnxTensor.Create(x, 2, 3) };
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var twice = session.Run(inputs, ["y", "y"]);
        Assert.Throws<OperationCanceledException>(() => session.Run(inputs, cancellationToken: cancelled.Token));
        Assert.Equal(0, session.RunsWrittenInPlace); // named twice: the usual way (only one of two buffers would be written)
        var after = session.Run(inputs)["y"];

        Assert.Equal(TestModelFiles.LinearExpected(x), twice["y"].GetData<float>());
        Assert.Equal(TestModelFiles.LinearExpected(x), after.GetData<float>());
        Assert.Equal(1, session.RunsWrittenInPlace);
    }

    [Fact]
    public void AModelMakingOtherShapesThanItsMetadataSays_IsAnsweredRight_AndNoLongerPreallocated()
    {
        // y is declared [N] like x's first dimension, but the graph flattens x: [N, 4] becomes [4N].
        var model = new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N", 4)
            .Initializer("flat", new long[] { -1 }, 1)
            .Node("Reshape", ["x", "flat"], ["y"])
            .Output("y", TensorElementType.Float, "N")
            .Build();
        using var session = new InferenceSession(model);
        Assert.True(session.PreallocatesOutputs);
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8];

        var first = session.Run(new OnnxTensors { ["x"] = OnnxTensor.Create(x, 2, 4) })["y"];
        var second = session.Run(new OnnxTensors { ["x"] = OnnxTensor.Create(x, 2, 4) })["y"];

        Assert.False(session.PreallocatesOutputs);
        Assert.Equal(0, session.RunsWrittenInPlace);
        Assert.Equal([8L], first.Shape);
        Assert.Equal(x, first.GetData<float>());
        Assert.Equal(x, second.GetData<float>());
    }

    [Fact]
    public void AModelsOwnRunError_IsThrownAsItIs_AndKeepsPreallocating()
    {
        // Reshape to a shape given at run time: [2, 4] cannot become [3, 3], ONNX Runtime's own error.
        var model = new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N", 4)
            .Input("shape", TensorElementType.Int64, 2)
            .Node("Reshape", ["x", "shape"], ["y"])
            .Output("y", TensorElementType.Float, "N", 4)
            .Build();
        using var session = new InferenceSession(model);
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8];

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(new OnnxTensors
        {
            ["x"] = OnnxTensor.Create(x, 2, 4),
            ["shape"] = OnnxTensor.Create(new long[] { 3, 3 }, 2),
        }));
        var y = session.Run(new OnnxTensors
        {
            ["x"] = OnnxTensor.Create(x, 2, 4),
            ["shape"] = OnnxTensor.Create(new long[] { 2, 4 }, 2),
        })["y"];

        Assert.Contains("reshape", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(session.PreallocatesOutputs);
        Assert.Equal(1, session.RunsWrittenInPlace); // the good run
        Assert.Equal(x, y.GetData<float>());
    }

    [Fact]
    public void StringAndUnknownShapedOutputs_AreLeftToOnnxRuntime()
    {
        using var strings = new InferenceSession(TestModelFiles.IdsAndWords());
        var flattened = new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N", 4)
            .Initializer("flat", new long[] { -1 }, 1)
            .Node("Reshape", ["x", "flat"], ["y"])
            .Output("y", TensorElementType.Float, "M")
            .Build();
        using var unknown = new InferenceSession(flattened);

        // ids_out could be written in place, words_out (strings) cannot: the run goes the usual way for both.
        var outputs = strings.Run(new OnnxTensors
        {
            ["ids"] = OnnxTensor.Create(new long[] { 7, -1 }, 2),
            ["words"] = OnnxTensor.Create(new[] { "wörd", "" }, 2),
        });
        var y = unknown.Run(new OnnxTensors { ["x"] = OnnxTensor.Create(new float[] { 1, 2, 3, 4 }, 1, 4) })["y"];

        Assert.Equal(0, strings.RunsWrittenInPlace);
        Assert.Equal([7L, -1], outputs["ids_out"].GetData<long>());
        Assert.Equal(["wörd", ""], outputs["words_out"].GetData<string>());
        Assert.False(unknown.PreallocatesOutputs);
        Assert.Equal([1f, 2, 3, 4], y.GetData<float>());
    }
}
