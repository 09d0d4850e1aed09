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
}
