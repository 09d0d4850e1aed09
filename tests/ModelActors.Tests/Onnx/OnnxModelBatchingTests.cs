using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;
using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Tests.Onnx;

/// <summary>How OnnxModel merges items into one run and splits the outputs back: batch axes, shared and padded inputs, the reused merge array.</summary>
public sealed class OnnxModelBatchingTests : OnnxModelFiles
{
    [Fact]
    public async Task ABatch_IsConcatenated_RunOnce_AndSplitBackPerItem_EqualToOneByOne()
    {
        var path = Save("linear.onnx", TestModelFiles.Linear());
        await using var library = ModelLibrary.CreateBuilder().AddOnnxModel("linear", path).Build();
        var client = library.Get<OnnxTensors, OnnxTensors>("linear");
        OnnxTensors[] items = [Rows(1, 2, 3), Rows(4, 5, 6, 7, 8, 9), Rows(0, 0, 1)]; // 1, 2 and 1 rows

        var batched = await client.PredictBatchAsync(items);

        using var session = new InferenceSession(path);
        for (var i = 0; i < items.Length; i++)
        {
            var alone = session.Run(items[i])["y"];
            Assert.Equal(alone.Shape, batched[i]["y"].Shape);
            Assert.Equal(alone.GetData<float>(), batched[i]["y"].GetData<float>());
        }
    }

    [Fact]
    public async Task ThroughTheBatcher_ConcurrentSingleRequests_MergeAndEachGetsItsOwnRows()
    {
        var path = Save("linear.onnx", TestModelFiles.Linear());
        await using var library = ModelLibrary.CreateBuilder().AddOnnxModel("linear", path, options: o => { o.MaxBatchSize = 16; o.Replicas = 2; }).Build();
        var client = library.Get<OnnxTensors, OnnxTensors>("linear");

        var calls = Enumerable.Range(0, 100).Select(i => client.PredictAsync(Rows(i, -i, 1)).AsTask()).ToList();
        var results = await Task.WhenAll(calls);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TestModelFiles.LinearExpected([i, -i, 1]), results[i]["y"].GetData<float>());
        }
    }

    [Fact]
    public async Task ConsecutiveBatchesOfOneSize_EachGetTheirOwnRows_ThoughTheyShareTheMergeArray()
    {
        var path = Save("linear.onnx", TestModelFiles.Linear());
        await using var library = ModelLibrary.CreateBuilder().AddOnnxModel("linear", path).Build();
        var client = library.Get<OnnxTensors, OnnxTensors>("linear");
        var rows = Enumerable.Range(0, 14).Select(i => new[] { (float)i, -i, 2 * i }).ToList();

        // Cut into chunks of 4, 4, 4, 2 that reach the one replica one after another.
        var results = await client.PredictBatchAsync([.. rows.Select(r => Rows(r))], batchSize: 4);
        var again = await client.PredictBatchAsync([.. rows.Take(4).Reverse().Select(r => Rows(r))], batchSize: 4);

        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(TestModelFiles.LinearExpected(rows[i]), results[i]["y"].GetData<float>());
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(TestModelFiles.LinearExpected(rows[3 - i]), again[i]["y"].GetData<float>());
        }
    }

    [Fact]
    public async Task ARecurrentState_IsBatchedOnAxis1()
    {
        var model = new OnnxGraphBuilder()
            .Input("state", TensorElementType.Float, 2, "N", 4)
            .Node("Add", ["state", "state"], ["next"])
            .Output("next", TensorElementType.Float, 2, "N", 4)
            .Build();
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("rnn", Save("rnn.onnx", model), s => { s.BatchAxes["state"] = 1; s.OutputBatchAxes["next"] = 1; })
            .Build();
        var items = Enumerable.Range(0, 3).Select(i => new OnnxTensors
        {
            ["state"] = OnnxTensor.Create(Enumerable.Range(0, 8).Select(v => (float)((i * 100) + v)).ToArray(), 2, 1, 4),
        }).ToList();

        var results = await library.Get<OnnxTensors, OnnxTensors>("rnn").PredictBatchAsync(items);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal([2L, 1, 4], results[i]["next"].Shape);
            Assert.Equal(items[i]["state"].GetData<float>().Select(v => v * 2), results[i]["next"].GetData<float>());
        }
    }

    [Fact]
    public async Task ASharedInput_IsPassedOnce_AndMustBeEqualAcrossTheBatch()
    {
        var model = new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N", 2)
            .Input("scale", TensorElementType.Float)
            .Node("Mul", ["x", "scale"], ["y"])
            .Output("y", TensorElementType.Float, "N", 2)
            .Build();
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("scaled", Save("scaled.onnx", model), s => s.SharedInputs.Add("scale"))
            .Build();
        var client = library.Get<OnnxTensors, OnnxTensors>("scaled");
        OnnxTensors Item(float a, float scale) => new() { ["x"] = OnnxTensor.Create(new[] { a, a + 1 }, 1, 2), ["scale"] = OnnxTensor.Scalar(scale) };

        var results = await client.PredictBatchAsync([Item(1, 10), Item(5, 10)]);
        var error = await Assert.ThrowsAsync<OnnxInputException>(() => client.PredictBatchAsync([Item(1, 10), Item(5, 3)]).AsTask());

        Assert.Equal([10f, 20], results[0]["y"].GetData<float>());
        Assert.Equal([50f, 60], results[1]["y"].GetData<float>());
        Assert.Equal("scale", error.InputName);
        Assert.Contains("Item 1: shared input 'scale' differs", error.Message);
        Assert.Equal("scaled", ModelErrors.GetModelName(error));
    }

    [Fact]
    public async Task VariableLengthInputs_ArePaddedWhereConfigured_AndRejectedOtherwise()
    {
        var model = new OnnxGraphBuilder(opset: 11)
            .Input("tokens", TensorElementType.Int64, "N", "L")
            .Node("ReduceSum", ["tokens"], ["total"], ("axes", new long[] { 1 }), ("keepdims", 0L))
            .Output("total", TensorElementType.Int64, "N")
            .Build();
        var path = Save("sum.onnx", model);
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("padded", path, s => s.PadInputs["tokens"] = 0)
            .AddOnnxModel("strict", path)
            .Build();
        OnnxTensors[] items =
        [
            new() { ["tokens"] = OnnxTensor.Create(new long[] { 1, 2 }, 1, 2) },
            new() { ["tokens"] = OnnxTensor.Create(new long[] { 10, 20, 30, 40 }, 1, 4) },
        ];

        var results = await library.Get<OnnxTensors, OnnxTensors>("padded").PredictBatchAsync(items);
        var error = await Assert.ThrowsAsync<OnnxInputException>(() => library.Get<OnnxTensors, OnnxTensors>("strict").PredictBatchAsync(items).AsTask());

        Assert.Equal([3L], results[0]["total"].GetData<long>());
        Assert.Equal([100L], results[1]["total"].GetData<long>());
        Assert.Contains("only batch axis 0 may differ (set PadInputs to pad it)", error.Message);
    }

    [Fact]
    public async Task BFloat16Items_AreBatched_AndPaddedWithTheRoundedPadValue()
    {
        var model = new OnnxGraphBuilder()
            .Input("x", TensorElementType.BFloat16, "N", "L")
            .Node("Identity", ["x"], ["y"])
            .Output("y", TensorElementType.BFloat16, "N", "L")
            .Build();
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("bf16", Save("bf16.onnx", model), s => s.PadInputs["x"] = -1.5)
            .Build();
        static OnnxTensors Item(params float[] values) =>
            new() { ["x"] = OnnxTensor.Create([.. values.Select(v => (BFloat16)v)], 1, values.Length) };

        var results = await library.Get<OnnxTensors, OnnxTensors>("bf16").PredictBatchAsync([Item(0.5f), Item(2, 3)]);

        Assert.Equal([0.5f, -1.5f], results[0]["y"].GetData<BFloat16>().Select(v => (float)v));
        Assert.Equal([2f, 3f], results[1]["y"].GetData<BFloat16>().Select(v => (float)v));
        Assert.Equal(TensorElementType.BFloat16, results[0]["y"].ElementType);
    }
}
