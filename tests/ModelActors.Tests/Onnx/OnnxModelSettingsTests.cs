using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ModelActors.Onnx;

namespace ModelActors.Tests.Onnx;

public sealed class OnnxModelSettingsTests
{
    /// <summary>Every setting given in code to AddOnnxModel reaches the model: a new setting that is not passed on fails here.</summary>
    [Fact]
    public void EverySetting_GivenInCode_IsPassedOnToTheModelsBoundSettings()
    {
        var values = new OnnxModelSettings
        {
            Path = "models/vad.onnx",
            IntraOpNumThreads = 3,
            InterOpNumThreads = 2,
            GraphOptimizationLevel = GraphOptimizationLevel.Basic,
            ExecutionMode = ExecutionMode.Parallel,
            ConfigEntries = { ["session.intra_op.allow_spinning"] = "0" },
            BatchAxes = { ["state"] = 1 },
            OutputBatchAxes = { ["next"] = 1 },
            SharedInputs = { "sr" },
            PadInputs = { ["tokens"] = -1 },
            ConcurrentRuns = 2,
            MaxItemRows = 8,
            Inputs = { new TensorDeclaration { Name = "x", ElementType = TensorElementType.Float, Dimensions = [-1, 3], Reshape = [-1, 3, 1] } },
            Outputs = { new TensorDeclaration { Name = "y", ElementType = TensorElementType.Int64, Dimensions = [2] } },
            Warmup =
            {
                new OnnxWarmup
                {
                    Name = "zeros", BatchSize = 2, Count = 3,
                    Inputs = { ["x"] = new OnnxWarmupInput { ElementType = TensorElementType.Float, Dimensions = [3], RandomData = true, DataFile = "x.bin" } },
                },
            },
            WarmupFolder = "models/warmup",
        };
        var defaults = new OnnxModelSettings();
        var properties = typeof(OnnxModelSettings).GetProperties().Where(p => p.CanWrite).ToList();
        Assert.All(properties, p => Assert.NotEqual(Json(p.GetValue(defaults)), Json(p.GetValue(values)))); // the test sets them all

        var flat = new Dictionary<string, string?>();
        OnnxModelLibraryExtensions.Flatten(values, flat);
        var bound = new ConfigurationBuilder().AddInMemoryCollection(flat).Build().Get<OnnxModelSettings>(o => o.ErrorOnUnknownConfiguration = true)!;

        Assert.All(properties, p => Assert.Equal(Json(p.GetValue(values)), Json(p.GetValue(bound))));
    }

    private static string Json(object? value) => JsonSerializer.Serialize(value);
}
