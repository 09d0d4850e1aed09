using ModelActors.Pretrained.Imaging;

namespace ModelActors.Pretrained.Ocr;

/// <summary>
/// <c>ocr</c>: an image (PNG or JPEG bytes, or raw RGB) in, its text lines out with their boxes and confidences.
/// Calls its dependencies <c>detector</c> (a <see cref="TextDetectorModel"/>) for the boxes and <c>recognizer</c>
/// (a <see cref="TextRecognizerModel"/>) for all the crops at once; when the recognizer batches, crops from
/// concurrent requests share its calls. Lines the recognizer reads as empty or below <c>MinConfidence</c> are dropped.
/// </summary>
public sealed class OcrModel : AsyncModel<ImageInput, IReadOnlyList<TextLine>>
{
    private IModelClient<RgbImage, IReadOnlyList<TextBox>> _detector = null!;
    private IModelClient<RgbImage, RecognizedText> _recognizer = null!;
    private OcrSettings _settings = new();
    private string _name = string.Empty;

    /// <inheritdoc />
    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _name = context.Name;
        _settings = context.GetSettings<OcrSettings>();
        _detector = context.Dependency<RgbImage, IReadOnlyList<TextBox>>("detector");
        _recognizer = context.Dependency<RgbImage, RecognizedText>("recognizer");
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask<IReadOnlyList<TextLine>> PredictAsync(ImageInput item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var image = item.ToRgb(_name);
        var boxes = await _detector.PredictAsync(image, cancellationToken).ConfigureAwait(false);
        if (boxes.Count == 0)
        {
            return [];
        }

        var crops = boxes.Select(b =>
        {
            // A margin around the box: measured, the recognizer drops spaces between words in tight crops.
            var margin = (int)Math.Round(b.Height * _settings.CropMargin);
            return image.Crop(b.X - margin, b.Y - margin, b.Width + (2 * margin), b.Height + (2 * margin));
        }).ToList();
        var texts = await _recognizer.PredictBatchAsync(crops, batchSize: crops.Count, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. boxes.Zip(texts, (box, text) => new TextLine(text.Text, text.Confidence, box))
            .Where(line => line.Text.Length > 0 && line.Confidence >= _settings.MinConfidence)];
    }

    /// <summary>The OCR model's settings.</summary>
    public sealed class OcrSettings
    {
        /// <summary>The margin added on every side of a box before it is read, as a fraction of the box's height. Default 0.15.</summary>
        public double CropMargin { get; set; } = 0.15;

        /// <summary>Lines read with a lower confidence are dropped. Default 0.5.</summary>
        public double MinConfidence { get; set; } = 0.5;
    }
}
