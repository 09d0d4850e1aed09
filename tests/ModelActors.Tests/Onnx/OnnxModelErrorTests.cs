using ModelActors.Onnx;
using ModelActors.TestKit;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>Bad items and failing runs: clear errors naming the input and the model, and only the bad item fails.</summary>
public sealed class OnnxModelErrorTests : OnnxModelFiles
{
    [Fact]
    public async Task ABadItem_FailsBeforeRun_NamingTheInputAndTheItem()
    {
        await using var library = ModelLibrary.CreateBuilder().AddOnnxModel("linear", Save("linear.onnx", TestModelFiles.Linear())).Build();
        var client = library.Get<OnnxTensors, OnnxTensors>("linear");
        var bad = new OnnxTensors { ["x"] = OnnxTensor.Create(new int[] { 1, 2, 3 }, 1, 3) };

        var error = await Assert.ThrowsAsync<OnnxInputException>(() => client.PredictBatchAsync([Rows(1, 2, 3), bad]).AsTask());

        Assert.Equal("x", error.InputName);
        Assert.StartsWith("Item 1: Input 'x' must hold Float elements", error.Message);
        Assert.Equal("linear", ModelErrors.GetModelName(error));
    }

    [Fact]
    public async Task WithBatchingOn_ABadItemFailsAlone()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("linear", Save("linear.onnx", TestModelFiles.Linear()), options: o => o.MaxBatchSize = 8)
            .Build();
        var client = library.Get<OnnxTensors, OnnxTensors>("linear");
        var bad = new OnnxTensors { ["nope"] = OnnxTensor.Create(new float[] { 1, 2, 3 }, 1, 3) };

        var outcomes = await client.PredictOutcomesAsync([Rows(1, 1, 1), bad, Rows(2, 2, 2)]);

        Assert.True(outcomes[0].IsSuccess);
        Assert.IsType<OnnxInputException>(outcomes[1].Exception);
        Assert.Equal(TestModelFiles.LinearExpected([2, 2, 2]), outcomes[2].Value["y"].GetData<float>());
    }

    [Fact]
    public async Task ABatchWhoseRunFails_FailsOnlyTheBadItem_AndTheNextBatchOfThatSizeIsCorrect()
    {
        // Gather checks its indices while running: ONNX Runtime, not the metadata check, rejects index 7.
        var model = new OnnxGraphBuilder()
            .Input("index", TensorElementType.Int64, "N")
            .Initializer("table", [10f, 20, 30], 3)
            .Node("Gather", ["table", "index"], ["value"])
            .Output("value", TensorElementType.Float, "N")
            .Build();
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("lookup", Save("lookup.onnx", model), options: o => { o.MaxBatchSize = 3; o.MaxDelay = TimeSpan.FromHours(1); })
            .Build();
        var client = library.Get<OnnxTensors, OnnxTensors>("lookup");
        static OnnxTensors Index(long i) => new() { ["index"] = OnnxTensor.Create(new[] { i }, 1) };

        var failed = await client.PredictOutcomesAsync([Index(0), Index(7), Index(2)]);
        var next = await client.PredictBatchAsync([Index(2), Index(1), Index(0)]);

        Assert.Equal([10f], failed[0].Value["value"].GetData<float>());
        Assert.IsType<OnnxRuntimeException>(failed[1].Exception);
        Assert.Equal("lookup", ModelErrors.GetModelName(failed[1].Exception!));
        Assert.Equal([30f], failed[2].Value["value"].GetData<float>());
        Assert.Equal([[30f], [20f], [10f]], next.Select(r => r["value"].GetData<float>()));
    }

    [Fact]
    public async Task ABadSingleRequest_FailsAtOnce_OnTheCallersSide_AndNeverBreaksUpTheBatchItWouldHaveJoined()
    {
        // Batches go only when full (MaxDelay never passes on the manual clock). Had the bad request been
        // queued, it would have joined the first batch of four, and the fourth good request would wait forever.
        await using var library = ModelLibrary.CreateBuilder()
            .UseTimeProvider(new ManualTimeProvider())
            .AddOnnxModel("linear", Save("linear.onnx", TestModelFiles.Linear()), options: o => { o.MaxBatchSize = 4; o.MaxDelay = TimeSpan.FromHours(1); o.Timeout = TimeSpan.FromHours(2); })
            .Build();
        await library.LoadAsync();
        var client = library.Get<OnnxTensors, OnnxTensors>("linear");
        var bad = new OnnxTensors { ["x"] = OnnxTensor.Create(new float[] { 1, 2 }, 1, 2) };

        var refused = client.PredictAsync(bad);
        var good = Enumerable.Range(0, 4).Select(i => client.PredictAsync(Rows(i, 1, 2)).AsTask()).ToList();

        Assert.True(refused.IsFaulted);
        var error = await Assert.ThrowsAsync<OnnxInputException>(() => refused.AsTask());
        Assert.Equal("x", error.InputName);
        Assert.StartsWith("Input 'x' dimension 1 must be 3", error.Message);
        Assert.Equal("linear", ModelErrors.GetModelName(error));
        var results = await Task.WhenAll(good).WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(TestModelFiles.LinearExpected([i, 1, 2]), results[i]["y"].GetData<float>());
        }

        var sync = Assert.Throws<OnnxInputException>(() => library.GetSync<OnnxTensors, OnnxTensors>("linear").Predict(bad));
        Assert.Equal("x", sync.InputName);
        Assert.Equal(0, library.Describe("linear").QueueDepth);
    }
}
