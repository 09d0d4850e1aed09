using Microsoft.Extensions.Configuration;
using ModelActors.Onnx;
using ModelActors.TestKit;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Tests.Onnx;

public sealed class OnnxModelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelactors-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Save(string name, byte[] model)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, model);
        return path;
    }

    private static OnnxTensors Rows(params float[] values) => new() { ["x"] = OnnxTensor.Create(values, values.Length / 3, 3) };

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

    [Fact]
    public async Task Replicas_ShareOneSession()
    {
        var name = $"shared-{Guid.NewGuid():N}";
        await using var library = ModelLibrary.CreateBuilder().AddOnnxModel(name, Save("linear.onnx", TestModelFiles.Linear()), options: o => o.Replicas = 3).Build();

        await library.LoadAsync();

        Assert.Equal([3], SharedSessions.Users(name + "|"));
        await library.DisposeAsync();
        Assert.Empty(SharedSessions.Users(name + "|"));
    }

    [Fact]
    public async Task JsonConfiguration_NamesOnnxModelByType()
    {
        var path = Save("linear.onnx", TestModelFiles.Linear());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelActors:Models:json-linear:Type"] = "OnnxModel",
            ["ModelActors:Models:json-linear:AssetPath"] = path,
            ["ModelActors:Models:json-linear:MaxBatchSize"] = "32",
            ["ModelActors:Models:json-linear:Settings:IntraOpNumThreads"] = "1",
        }).Build();

        await using var library = ModelLibrary.CreateBuilder().Bind(configuration.GetSection("ModelActors")).Build();
        var y = await library.Get<OnnxTensors, OnnxTensors>("json-linear").PredictAsync(Rows(1, 2, 3));

        Assert.Equal(TestModelFiles.LinearExpected([1, 2, 3]), y["y"].GetData<float>());
    }

    [Fact]
    public async Task AMissingModelFile_OrASettingNamingAnUnknownInput_FailsTheLoadNamingTheModel()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("missing", Path.Combine(_folder, "nope.onnx"))
            .AddOnnxModel("misnamed", Save("linear.onnx", TestModelFiles.Linear()), s => s.SharedInputs.Add("sample_rate"))
            .Configure(o => { o.LoadRetries = 0; o.LazyLoading = true; })
            .Build();

        var missing = await Assert.ThrowsAsync<ModelLoadException>(() => library.Get<OnnxTensors, OnnxTensors>("missing").PredictAsync(Rows(1, 2, 3)).AsTask());
        var misnamed = await Assert.ThrowsAsync<ModelLoadException>(() => library.Get<OnnxTensors, OnnxTensors>("misnamed").PredictAsync(Rows(1, 2, 3)).AsTask());

        Assert.Equal(OrtErrorCode.NoSuchFile, Assert.IsType<OnnxRuntimeException>(missing.InnerException).ErrorCode);
        Assert.Contains("Model 'misnamed': settings name input 'sample_rate'", misnamed.InnerException!.Message);
    }

    [Fact]
    public async Task ConcurrentRuns_OneGateForAllReplicas_AndEveryAnswerStaysCorrect()
    {
        var name = $"gated-{Guid.NewGuid():N}";
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel(name, Save("linear.onnx", TestModelFiles.Linear()), s => s.ConcurrentRuns = 1, o => { o.Replicas = 2; o.MaxBatchSize = 4; o.MaxDelay = TimeSpan.Zero; })
            .Build();
        await library.LoadAsync();
        var client = library.Get<OnnxTensors, OnnxTensors>(name);

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => client.PredictAsync(Rows(i, 1, -i)).AsTask()));

        Assert.Equal([1], SharedSessions.RunSlots(name + "|"));
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(TestModelFiles.LinearExpected([i, 1, -i]), results[i]["y"].GetData<float>());
        }
    }

    [Fact]
    public async Task NegativeConcurrentRuns_FailTheLoad_NamingTheModelAndTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelActors:Models:negative:Type"] = "OnnxModel",
            ["ModelActors:Models:negative:AssetPath"] = Save("linear.onnx", TestModelFiles.Linear()),
            ["ModelActors:Models:negative:Settings:ConcurrentRuns"] = "-1",
        }).Build();
        await using var library = ModelLibrary.CreateBuilder().Bind(configuration.GetSection("ModelActors")).Configure(o => { o.LoadRetries = 0; o.LazyLoading = true; }).Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => library.Get<OnnxTensors, OnnxTensors>("negative").PredictAsync(Rows(1, 2, 3)).AsTask());

        Assert.Contains("Model 'negative' (OnnxModel): ConcurrentRuns must be 0 (no limit) or more, not -1.", error.InnerException!.Message);
    }
}
