using ModelActors.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>String tensors of raw bytes (not UTF-8): kept byte for byte through a session and through OnnxModel's batches, next to text.</summary>
public sealed class ByteStringTensorTests : OnnxModelFiles
{
    private static readonly byte[][] NotText = [[0xFF, 0xFE], [], [0x61, 0x80, 0x62], [0xC3, 0xA9]];

    [Fact]
    public void RawBytes_GoThroughASession_AndComeBackAsTheSameBytes()
    {
        using var session = new InferenceSession(TestModelFiles.IdsAndWords());

        var outputs = session.Run(new Dictionary<string, OnnxTensor>
        {
            ["ids"] = OnnxTensor.Create(new long[] { 1, 2, 3, 4 }, 4),
            ["words"] = OnnxTensor.Create(NotText, 4),
        });

        var words = outputs["words_out"];
        Assert.Equal(TensorElementType.String, words.ElementType);
        Assert.IsType<byte[][]>(words.Data); // not all text: bytes, never U+FFFD
        Assert.Equal(NotText, words.GetBytes());
    }

    [Fact]
    public void TextOutputs_StayStrings_AndGetBytesEncodesThem()
    {
        using var session = new InferenceSession(TestModelFiles.IdsAndWords());

        var outputs = session.Run(new Dictionary<string, OnnxTensor>
        {
            ["ids"] = OnnxTensor.Create(new long[] { 1 }, 1),
            ["words"] = OnnxTensor.Create(new byte[][] { [0xC3, 0xA9] }, 1), // "é" as bytes: valid UTF-8
        });

        Assert.Equal(["é"], outputs["words_out"].GetData<string>());
        Assert.Equal([[0xC3, 0xA9]], outputs["words_out"].GetBytes());
    }

    [Fact]
    public async Task ABatch_MixingTextAndRawBytes_SplitsBackEachItemsElements()
    {
        var path = Save("ids-words.onnx", TestModelFiles.IdsAndWords());
        await using var library = ModelLibrary.CreateBuilder().AddOnnxModel("words", path).Build();
        var client = library.Get<OnnxTensors, OnnxTensors>("words");
        OnnxTensors[] items =
        [
            Item(OnnxTensor.Create(new[] { "héllo", "x" }, 2)),
            Item(OnnxTensor.Create(NotText, 4)),
            Item(OnnxTensor.Create(new[] { "wörld" }, 1)),
        ];

        var results = await client.PredictBatchAsync(items); // one run: the three are merged along axis 0

        Assert.Equal(items.Select(i => i["words"].GetBytes()), results.Select(r => r["words_out"].GetBytes()));
        Assert.IsType<string[]>(results[0]["words_out"].Data); // text stays text though it was batched with raw bytes
        Assert.IsType<byte[][]>(results[1]["words_out"].Data);
    }

    private static OnnxTensors Item(OnnxTensor words) => new()
    {
        ["ids"] = OnnxTensor.Create(new long[words.ElementCount], words.ElementCount),
        ["words"] = words,
    };
}
