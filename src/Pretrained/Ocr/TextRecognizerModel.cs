using ModelActors.Onnx;
using ModelActors.Pretrained.Imaging;

namespace ModelActors.Pretrained.Ocr;

/// <summary>
/// <c>text-recognizer</c>: PP-OCRv4 text recognition. Each crop is resized to height 48 keeping its aspect ratio and
/// normalized ((x/255 − 0.5)/0.5); a batch (crops merged from many requests when batching is on) is padded to a width bucket (a multiple of 64 pixels, alone or batched, so batching never
/// changes what is read) and each bucket run once; each crop's steps are decoded greedily (CTC: the best class per step, repeats
/// collapsed, blanks dropped; class 0 is the blank, 1..6623 the vocabulary's lines, 6624 a space), with the mean
/// probability of the characters kept as the confidence.
/// </summary>
public sealed class TextRecognizerModel : Model<RgbImage, RecognizedText>, IDisposable
{
    private const int Height = 48;
    private InferenceSession? _session;
    private string[] _vocabulary = [];
    private RecognizerSettings _settings = new();
    private string _name = string.Empty;

    /// <inheritdoc />
    public void Dispose() => _session?.Dispose();

    /// <inheritdoc />
    protected override void Load(ModelContext context)
    {
        _name = context.Name;
        _settings = context.GetSettings<RecognizerSettings>();
        var model = ModelFiles.Resolve(context, "ch_PP-OCRv4_rec_infer.onnx");
        _vocabulary = File.ReadAllLines(_settings.Vocabulary is { } path ? Path.GetFullPath(path, AppContext.BaseDirectory) : ModelFiles.Beside(model, "ppocr_keys_v1.txt", context.Name));
        _session = new InferenceSession(model, new OnnxSessionOptions { IntraOpNumThreads = _settings.IntraOpNumThreads });
    }

    /// <inheritdoc />
    protected override IReadOnlyList<RecognizedText> PredictBatch(IReadOnlyList<RgbImage> items, CancellationToken cancellationToken)
    {
        var widths = new int[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            items[i].Validate(_name);
            widths[i] = Math.Clamp((int)Math.Ceiling(Height * (double)items[i].Width / items[i].Height), 8, _settings.MaxWidth);
        }

        // Bucketing by width: a crop is always padded to its bucket's width, alone or in a batch, so that batching
        // never changes what is read (padding to the batch's widest crop did: the model attends over the padding).
        var results = new RecognizedText[items.Count];
        foreach (var bucket in Enumerable.Range(0, items.Count).GroupBy(i => Bucket(widths[i])))
        {
            var members = bucket.ToArray();
            var decoded = Run(members.Select(i => items[i]).ToArray(), members.Select(i => widths[i]).ToArray(), bucket.Key, cancellationToken);
            for (var k = 0; k < members.Length; k++)
            {
                results[members[k]] = decoded[k];
            }
        }

        return results;
    }

    private int Bucket(int width) => (width + _settings.BucketWidth - 1) / _settings.BucketWidth * _settings.BucketWidth;

    private RecognizedText[] Run(RgbImage[] crops, int[] widths, int batchWidth, CancellationToken cancellationToken)
    {
        var plane = Height * batchWidth;
        var input = new float[crops.Length * 3 * plane]; // zeros: the padding is mid-gray after normalization
        for (var i = 0; i < crops.Length; i++)
        {
            var rgba = crops[i].ResizedRgba(widths[i], Height);
            for (var y = 0; y < Height; y++)
            {
                for (var x = 0; x < widths[i]; x++)
                {
                    var source = ((y * widths[i]) + x) * 4;
                    var target = (i * 3 * plane) + (y * batchWidth) + x;
                    for (var c = 0; c < 3; c++)
                    {
                        input[target + (c * plane)] = ((rgba[source + c] / 255f) - 0.5f) / 0.5f;
                    }
                }
            }
        }

        var outputs = _session!.Run(new Dictionary<string, OnnxTensor> { [_session.InputNames[0]] = OnnxTensor.Create(input, crops.Length, 3, Height, batchWidth) }, cancellationToken: cancellationToken);
        var output = outputs[_session.OutputNames[0]];
        var steps = (int)output.Shape[1];
        var classes = (int)output.Shape[2];
        var probabilities = output.GetData<float>();
        var results = new RecognizedText[crops.Length];
        for (var i = 0; i < crops.Length; i++)
        {
            // The crop's own steps: the model downsamples the width by 8.
            var own = Math.Min(steps, (int)Math.Ceiling(widths[i] / 8.0));
            results[i] = Decode(probabilities.AsSpan(i * steps * classes, steps * classes), own, classes);
        }

        return results;
    }

    private RecognizedText Decode(ReadOnlySpan<float> probabilities, int steps, int classes)
    {
        var text = new System.Text.StringBuilder();
        double confidence = 0;
        var kept = 0;
        var previous = 0;
        for (var t = 0; t < steps; t++)
        {
            var row = probabilities.Slice(t * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            if (best != 0 && best != previous)
            {
                text.Append(best <= _vocabulary.Length ? _vocabulary[best - 1] : " ");
                confidence += row[best];
                kept++;
            }

            previous = best;
        }

        return new RecognizedText(text.ToString().Trim(), kept == 0 ? 0 : confidence / kept);
    }

    /// <summary>The recognizer's settings (model <c>Settings</c>).</summary>
    public sealed class RecognizerSettings
    {
        /// <summary>The vocabulary file (one character per line); default ppocr_keys_v1.txt beside the model file.</summary>
        public string? Vocabulary { get; set; }

        /// <summary>The widest a crop is resized to (longer crops are squeezed). Default 1600.</summary>
        public int MaxWidth { get; set; } = 1600;

        /// <summary>Crops are padded to a multiple of this width; crops of one bucket share a run. Default 64.</summary>
        public int BucketWidth { get; set; } = 64;

        /// <summary>ONNX Runtime's intra-op threads (0: its default).</summary>
        public int IntraOpNumThreads { get; set; }
    }
}
