using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>How a batch's inputs are merged: the concatenation array is reused only after its run returned.</summary>
public sealed class BatchInputsTests : IDisposable
{
    private readonly InferenceSession _scaled = new(new OnnxGraphBuilder()
        .Input("x", TensorElementType.Float, "N", 2)
        .Input("scale", TensorElementType.Float)
        .Node("Mul", ["x", "scale"], ["y"])
        .Output("y", TensorElementType.Float, "N", 2)
        .Build());

    public void Dispose() => _scaled.Dispose();

    private static OnnxTensors Item(float a, float[] scale) =>
        new() { ["x"] = OnnxTensor.Create(new[] { a, a + 1 }, 1, 2), ["scale"] = OnnxTensor.Create(scale) };

    private BatchInputs Inputs() => new("scaled", _scaled, new OnnxModelSettings { SharedInputs = { "scale" } });

    [Fact]
    public void ARecycledArray_TakesTheNextBatchOfTheSameSize_WithThatBatchsValues()
    {
        var inputs = Inputs();
        float[] scale = [10];
        var (first, _) = inputs.Merge([Item(1, scale), Item(2, scale)]);
        var firstArray = first["x"].GetData<float>();
        inputs.Recycle(first);

        var (second, sizes) = inputs.Merge([Item(5, scale), Item(7, scale)]);

        Assert.Same(firstArray, second["x"].GetData<float>());
        Assert.Equal([5f, 6, 7, 8], second["x"].GetData<float>());
        Assert.Equal([1L, 1], sizes);
    }

    [Fact]
    public void WithoutRecycling_EveryBatchGetsItsOwnArray_SoARunInFlightIsNeverOverwritten()
    {
        var inputs = Inputs();
        float[] scale = [10];
        var (first, _) = inputs.Merge([Item(1, scale), Item(2, scale)]);

        var (second, _) = inputs.Merge([Item(5, scale), Item(7, scale)]);

        Assert.NotSame(first["x"].GetData<float>(), second["x"].GetData<float>());
        Assert.Equal([1f, 2, 2, 3], first["x"].GetData<float>());
    }

    [Fact]
    public void ABatchOfAnotherSize_GetsANewArray_AndSharedInputsAreNeverRecycled()
    {
        var inputs = Inputs();
        float[] scale = [10];
        var (first, _) = inputs.Merge([Item(1, scale), Item(2, scale)]);
        inputs.Recycle(first);

        var (larger, _) = inputs.Merge([Item(3, [4]), Item(4, [4]), Item(5, [4])]);
        inputs.Recycle(larger);
        var (again, _) = inputs.Merge([Item(9, [4]), Item(9, [4]), Item(9, [4])]);

        Assert.Equal(6, larger["x"].ElementCount);
        Assert.Same(larger["x"].Data, again["x"].Data);
        Assert.Same(scale, first["scale"].Data); // the caller's own array, passed once
        Assert.Equal([10f], scale);
    }
}
