using Microsoft.Extensions.Configuration;
using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>Loading OnnxModel: configuration (code, JSON), shared sessions, ConcurrentRuns, load failures.</summary>
public sealed class OnnxModelTests : OnnxModelFiles
{
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
            .AddOnnxModel("missing", Path.Combine(Folder, "nope.onnx"))
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
