using ModelActors.Onnx;

namespace ModelActors.Tests.Onnx;

public sealed class OnnxTensorsTests
{
    private static OnnxTensor Tensor(float value) => OnnxTensor.Create([value], 1);

    [Fact]
    public void KeepsInsertionOrder_ReplacesByName_AndLooksUpOrdinally()
    {
        var a = Tensor(1);
        var b = Tensor(2);
        var c = Tensor(3);

        var tensors = new OnnxTensors { ["b"] = b, ["a"] = a };
        tensors["b"] = c;

        Assert.Equal(["b", "a"], tensors.Keys);
        Assert.Equal([c, a], tensors.Values);
        Assert.Equal(2, tensors.Count);
        Assert.Same(a, tensors["a"]);
        Assert.True(tensors.ContainsKey("a"));
        Assert.False(tensors.ContainsKey("A"));
        Assert.False(tensors.TryGetValue("B", out _));
        Assert.Equal([new KeyValuePair<string, OnnxTensor>("b", c), new("a", a)], tensors);
    }

    [Fact]
    public void ManyNames_AreAllFound_InOrder()
    {
        var names = Enumerable.Range(0, 40).Select(i => $"input_{i}").ToList();
        var tensors = new OnnxTensors(names.Select((name, i) => new KeyValuePair<string, OnnxTensor>(name, Tensor(i))));
        tensors["input_3"] = Tensor(-3);
        tensors["extra"] = Tensor(99);

        Assert.Equal([.. names, "extra"], tensors.Keys);
        for (var i = 0; i < names.Count; i++)
        {
            Assert.Equal(i == 3 ? -3 : i, tensors[names[i]].GetData<float>()[0]);
        }

        Assert.Equal(99, tensors["extra"].GetData<float>()[0]);
        Assert.False(tensors.ContainsKey("input_40"));
    }

    [Fact]
    public void AMissingName_IsAKeyNotFoundNamingItAndWhatIsThere_AndNullsAreRejected()
    {
        var tensors = new OnnxTensors { ["x"] = Tensor(1), ["sr"] = Tensor(2) };

        var missing = Assert.Throws<KeyNotFoundException>(() => tensors["y"]);
        Assert.Equal("No tensor named 'y'. Tensors: x, sr.", missing.Message);
        Assert.Throws<ArgumentNullException>(() => tensors["z"] = null!);
        Assert.Throws<ArgumentNullException>(() => tensors[null!] = Tensor(3));
        Assert.Throws<ArgumentNullException>(() => new OnnxTensors(null!));
    }
}
