using ModelActors.Onnx;
using ModelActors.Pretrained.Imaging;

namespace ModelActors.Pretrained.Ocr;

/// <summary>
/// <c>text-detector</c>: PP-OCRv4 text detection. The image is scaled so its longer side is at most 960 pixels and
/// both sides are multiples of 32, normalized ((x/255 − mean)/std, ImageNet's mean and std) as NCHW; the model
/// answers a per-pixel text probability; pixels above 0.3 form connected regions, each region's bounding box is
/// kept when its mean probability is at least 0.6, and grown by area × 1.5 / perimeter on every side (PaddleOCR's
/// unclip ratio), then scaled back to the image. Boxes come top to bottom, then left to right.
/// </summary>
public sealed class TextDetectorModel : Model<RgbImage, IReadOnlyList<TextBox>>, IDisposable
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];
    private InferenceSession? _session;
    private DetectorSettings _settings = new();
    private string _name = string.Empty;

    /// <inheritdoc />
    public void Dispose() => _session?.Dispose();

    /// <inheritdoc />
    protected override void Load(ModelContext context)
    {
        _name = context.Name;
        _settings = context.GetSettings<DetectorSettings>();
        _session = new InferenceSession(ModelFiles.Resolve(context, "ch_PP-OCRv4_det_infer.onnx"), new OnnxSessionOptions { IntraOpNumThreads = _settings.IntraOpNumThreads });
    }

    /// <inheritdoc />
    protected override IReadOnlyList<TextBox> Predict(RgbImage item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.Validate(_name);
        var scale = Math.Min(1.0, (double)_settings.MaxSide / Math.Max(item.Width, item.Height));
        var width = Math.Max(32, (int)Math.Round(item.Width * scale / 32) * 32);
        var height = Math.Max(32, (int)Math.Round(item.Height * scale / 32) * 32);
        var input = Normalize(item.ResizedRgba(width, height), width, height);
        var outputs = _session!.Run(new Dictionary<string, OnnxTensor> { [_session.InputNames[0]] = OnnxTensor.Create(input, 1, 3, height, width) }, cancellationToken: cancellationToken);
        var probabilities = outputs[_session.OutputNames[0]].GetData<float>();
        return TextRegions.Find(probabilities, width, height, _settings.Threshold, _settings.BoxThreshold, _settings.UnclipRatio)
            .Select(b => Scale(b, (double)item.Width / width, (double)item.Height / height, item.Width, item.Height))
            .Where(b => b.Width >= 3 && b.Height >= 3)
            .OrderBy(b => b.Y).ThenBy(b => b.X)
            .ToList();
    }

    private static float[] Normalize(byte[] rgba, int width, int height)
    {
        var plane = width * height;
        var tensor = new float[3 * plane];
        for (var p = 0; p < plane; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                tensor[(c * plane) + p] = ((rgba[(p * 4) + c] / 255f) - Mean[c]) / Std[c];
            }
        }

        return tensor;
    }

    private static TextBox Scale(TextBox box, double sx, double sy, int width, int height)
    {
        var x = Math.Clamp((int)Math.Floor(box.X * sx), 0, width - 1);
        var y = Math.Clamp((int)Math.Floor(box.Y * sy), 0, height - 1);
        var right = Math.Clamp((int)Math.Ceiling((box.X + box.Width) * sx), x + 1, width);
        var bottom = Math.Clamp((int)Math.Ceiling((box.Y + box.Height) * sy), y + 1, height);
        return box with { X = x, Y = y, Width = right - x, Height = bottom - y };
    }

    /// <summary>The detector's settings (model <c>Settings</c>).</summary>
    public sealed class DetectorSettings
    {
        /// <summary>The longest side the image is scaled down to. Default 960.</summary>
        public int MaxSide { get; set; } = 960;

        /// <summary>Pixels above this probability are text. Default 0.3.</summary>
        public float Threshold { get; set; } = 0.3f;

        /// <summary>A region is kept when its mean probability is at least this. Default 0.6.</summary>
        public float BoxThreshold { get; set; } = 0.6f;

        /// <summary>How much a box grows: area × ratio / perimeter on every side. Default 1.5.</summary>
        public double UnclipRatio { get; set; } = 1.5;

        /// <summary>ONNX Runtime's intra-op threads (0: its default).</summary>
        public int IntraOpNumThreads { get; set; }
    }
}
