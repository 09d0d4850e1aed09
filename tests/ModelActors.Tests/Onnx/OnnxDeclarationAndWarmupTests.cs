using ModelActors.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>Declared inputs and outputs checked against the ONNX file at load, and warm-up runs before the model is ready.</summary>
public sealed class OnnxDeclarationAndWarmupTests : OnnxModelFiles
{
    [Fact]
    public async Task MatchingDeclarations_AndWarmups_OfEveryKind_LoadTheModel()
    {
        var folder = Directory.CreateTempSubdirectory("modelactors-warmup-").FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, "ids.bin"), [.. BitConverter.GetBytes(7L), .. BitConverter.GetBytes(8L)]);
        await File.WriteAllBytesAsync(Path.Combine(folder, "words.bin"), [2, 0, 0, 0, (byte)'h', (byte)'i', 0, 0, 0, 0]);
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("words", Save("ids-words.onnx", TestModelFiles.IdsAndWords()), s =>
            {
                s.Inputs.Add(new TensorDeclaration { Name = "ids", ElementType = TensorElementType.Int64, Dimensions = [-1] });
                s.Inputs.Add(new TensorDeclaration { Name = "words", ElementType = TensorElementType.String, Dimensions = [-1] });
                s.WarmupFolder = folder;
                s.Warmup.Add(new OnnxWarmup
                {
                    Name = "random", Count = 2,
                    Inputs = { ["ids"] = new() { ElementType = TensorElementType.Int64, Dimensions = [4], RandomData = true }, ["words"] = new() { ElementType = TensorElementType.String, Dimensions = [4] } },
                });
                s.Warmup.Add(new OnnxWarmup
                {
                    Name = "files",
                    Inputs = { ["ids"] = new() { ElementType = TensorElementType.Int64, Dimensions = [2], DataFile = "ids.bin" }, ["words"] = new() { ElementType = TensorElementType.String, Dimensions = [2], DataFile = "words.bin" } },
                });
            })
            .Build();

        await library.LoadAsync();

        Assert.Equal(ModelState.Ready, library.Describe("words").State);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("ids", TensorElementType.Int32, "the configuration declares input 'ids: Int32[-1]', but the ONNX file has 'ids: Int64[N]'.")]
    [InlineData("absent", TensorElementType.Int64, "the configuration declares input 'absent: Int64[-1]', which the ONNX file does not have")]
    public async Task ADeclarationTheFileDoesNotMatch_IsALoadError_NamingBoth(string name, TensorElementType type, string message)
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("words", Save("ids-words.onnx", TestModelFiles.IdsAndWords()), s =>
                s.Inputs.Add(new TensorDeclaration { Name = name, ElementType = type, Dimensions = [-1] }))
            .Build();

        var error = await Assert.ThrowsAnyAsync<ModelActorsException>(() => library.LoadAsync());

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("does not declare input 'words: String[N]'", error.ToString(), StringComparison.Ordinal); // every input must be declared
    }

    [Fact]
    public async Task AReshape_TakesAndGivesTheDeclaredShapes_AloneAndInABatch_WithoutTheFileKnowing()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddOnnxModel("linear", Save("linear.onnx", TestModelFiles.Linear()), s =>
            {
                s.Inputs.Add(new TensorDeclaration { Name = "x", ElementType = TensorElementType.Float, Dimensions = [-1, 3, 1], Reshape = [-1, 3] });
                s.Outputs.Add(new TensorDeclaration { Name = "y", ElementType = TensorElementType.Float, Dimensions = [-1, 1, 2], Reshape = [-1, 2] });
            }, o => o.MaxBatchSize = 8)
            .Build();
        await library.LoadAsync();
        var client = library.Get<OnnxTensors, OnnxTensors>("linear");
        OnnxTensors Item(params float[] x) => new() { ["x"] = OnnxTensor.Create(x, x.Length / 3, 3, 1) };

        var alone = await client.PredictAsync(Item(1, 2, 3));
        var batch = await client.PredictBatchAsync([Item(1, 2, 3), Item(4, 5, 6, 7, 8, 9)]);
        var refused = await Assert.ThrowsAsync<OnnxInputException>(() => client.PredictAsync(new OnnxTensors { ["x"] = OnnxTensor.Create(new float[4], 1, 4, 1) }).AsTask());
        var signature = library.GetTensorSignature("linear")!;

        Assert.Equal([1L, 1, 2], alone["y"].Shape);
        Assert.Equal(TestModelFiles.LinearExpected([1, 2, 3]), alone["y"].GetData<float>());
        Assert.Equal([2L, 1, 2], batch[1]["y"].Shape);
        Assert.Equal(TestModelFiles.LinearExpected([4, 5, 6]).Concat(TestModelFiles.LinearExpected([7, 8, 9])), batch[1]["y"].GetData<float>());
        Assert.Equal("Input 'x' has shape [1, 4, 1]; the configuration declares [-1, 3, 1].", refused.Message);
        Assert.Equal([-1L, 3, 1], signature.Inputs.Single().Dimensions); // callers see the declared shapes
        Assert.Equal([-1L, 1, 2], signature.Outputs.Single().Dimensions);
    }
}
