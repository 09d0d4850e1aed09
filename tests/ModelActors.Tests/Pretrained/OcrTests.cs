using ModelActors.Pretrained.Imaging;
using ModelActors.Pretrained.Ocr;
using SkiaSharp;

namespace ModelActors.Tests.Pretrained;

/// <summary>PP-OCRv4 detection and recognition on images the tests render with SkiaSharp and DejaVu Sans (Debian's fonts-dejavu-core).</summary>
public sealed class OcrTests
{
    private const string Font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    public static ModelLibrary CreateLibrary(int recognizerBatch = 16) => ModelLibrary.CreateBuilder()
        .AddModel<TextDetectorModel>("text-detector")
        .AddModel<TextRecognizerModel>("text-recognizer", o => o.MaxBatchSize = recognizerBatch)
        .AddModel<OcrModel>("ocr", o => o.Dependencies.AddRange(["detector=text-detector", "recognizer=text-recognizer"]))
        .Build();

    /// <summary>Lines of text on a background, one per row, in the given sizes.</summary>
    public static byte[] Render(IReadOnlyList<(string Text, float Size)> lines, SKColor background, SKColor ink)
    {
        const int Width = 900;
        var height = (int)lines.Sum(l => l.Size * 2.2f) + 40;
        using var bitmap = new SKBitmap(Width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(background);
        using var typeface = SKTypeface.FromFile(Font);
        using var paint = new SKPaint { Color = ink, IsAntialias = true };
        var y = 20f;
        foreach (var (text, size) in lines)
        {
            using var font = new SKFont(typeface, size);
            y += size * 1.6f;
            canvas.DrawText(text, 30, y, SKTextAlign.Left, font, paint);
            y += size * 0.6f;
        }

        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    [Fact]
    public async Task BlackOnWhite_InSeveralSizes_IsReadBackExactly()
    {
        (string, float)[] lines = [("Hello World 2024", 40), ("ModelActors reads 1234567890", 32), ("batching merges crops", 24), ("Invoice 42 total 99", 20)];
        await using var library = CreateLibrary();

        var read = await library.Get<ImageInput, IReadOnlyList<TextLine>>("ocr").PredictAsync(new ImageInput { Image = Render(lines, SKColors.White, SKColors.Black) });

        Assert.Equal(lines.Select(l => l.Item1), read.Select(l => l.Text));
        Assert.All(read, l => Assert.InRange(l.Confidence, 0.8, 1.0));
    }

    [Fact]
    public async Task WhiteOnAColouredBackground_IsReadBackExactly()
    {
        (string, float)[] lines = [("Speed 88 km", 36), ("Open 24 hours", 28)];
        await using var library = CreateLibrary();

        var read = await library.Get<ImageInput, IReadOnlyList<TextLine>>("ocr").PredictAsync(new ImageInput { Image = Render(lines, new SKColor(30, 80, 160), SKColors.White) });

        Assert.Equal(lines.Select(l => l.Item1), read.Select(l => l.Text));
    }
}

/// <summary>The recognizer batched against one by one, and bad images refused with errors naming the model.</summary>
public sealed class OcrBatchingTests
{
    [Fact]
    public async Task BatchedCrops_ReadTheSameAsOneByOne()
    {
        (string, float)[] lines = [("alpha 1", 36), ("beta gamma 22", 30), ("delta 333 epsilon", 26), ("zeta", 22), ("eta theta iota 4444", 20), ("kappa", 34)];
        await using var library = OcrTests.CreateLibrary(recognizerBatch: 16);
        var image = RgbImage.Decode(OcrTests.Render(lines, SKColors.White, SKColors.Black), "test");
        var boxes = await library.Get<RgbImage, IReadOnlyList<TextBox>>("text-detector").PredictAsync(image);
        var crops = boxes.Select(b => image.Crop(b.X - 5, b.Y - 5, b.Width + 10, b.Height + 10)).ToList();
        var recognizer = library.Get<RgbImage, RecognizedText>("text-recognizer");

        var batched = await recognizer.PredictBatchAsync(crops, batchSize: crops.Count);
        var single = new List<RecognizedText>();
        foreach (var crop in crops)
        {
            single.Add(await recognizer.PredictAsync(crop));
        }

        Assert.Equal(lines.Length, crops.Count);
        Assert.Equal(single.Select(s => s.Text), batched.Select(b => b.Text));
        Assert.All(single.Zip(batched), p => Assert.Equal(p.First.Confidence, p.Second.Confidence, 4));
    }

    [Fact]
    public async Task BadImages_AreRefusedNamingTheModelAndWhatWasWrong()
    {
        await using var library = OcrTests.CreateLibrary();
        var ocr = library.Get<ImageInput, IReadOnlyList<TextLine>>("ocr");

        var neither = await Assert.ThrowsAsync<ArgumentException>(() => ocr.PredictAsync(new ImageInput()).AsTask());
        var garbage = await Assert.ThrowsAsync<ArgumentException>(() => ocr.PredictAsync(new ImageInput { Image = [1, 2, 3, 4] }).AsTask());
        var wrongSize = await Assert.ThrowsAsync<ArgumentException>(() => ocr.PredictAsync(new ImageInput { Rgb = new RgbImage(4, 4, new byte[10]) }).AsTask());
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => ocr.PredictAsync(new ImageInput { Rgb = new RgbImage(0, 0, []) }).AsTask());
        var blank = await ocr.PredictAsync(new ImageInput { Rgb = new RgbImage(64, 32, Enumerable.Repeat((byte)255, 64 * 32 * 3).ToArray()) });

        Assert.Contains("Model 'ocr' takes an image as either 'image'", neither.Message, StringComparison.Ordinal);
        Assert.Contains("Model 'ocr': the image could not be decoded", garbage.Message, StringComparison.Ordinal);
        Assert.Contains("needs 48 bytes of pixels, not 10", wrongSize.Message, StringComparison.Ordinal);
        Assert.Contains("Model 'ocr': an RGB image of 0×0 has no pixels; width and height must be 1 or more.", empty.Message, StringComparison.Ordinal);
        Assert.Empty(blank);
    }
}
