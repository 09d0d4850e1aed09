using Akka.Streams;
using Akka.Streams.Dsl;
using ModelActors.Onnx;
using ModelActors.Pretrained.Audio;
using ModelActors.Streams;

namespace ModelActors.Pretrained.Vad;

/// <summary>
/// <c>speech-segments</c>: 16 kHz mono audio (WAV bytes or float samples; other WAV rates are resampled) in, the
/// speech segments out. Runs <see cref="SpeechSegmenter"/> over the audio, calling its dependency <c>vad</c>
/// (the Silero VAD v5 <see cref="OnnxModel"/>) frame by frame, so concurrent requests' frames share batches.
/// Settings: the <see cref="VadOptions"/>.
/// </summary>
public sealed class SpeechSegmentsModel : AsyncModel<AudioInput, IReadOnlyList<SpeechSegment>>
{
    private IModelClient<OnnxTensors, OnnxTensors> _vad = null!;
    private IMaterializer _materializer = null!;
    private VadOptions _options = new();
    private string _name = string.Empty;

    /// <inheritdoc />
    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _name = context.Name;
        _vad = context.Dependency<OnnxTensors, OnnxTensors>("vad");
        _materializer = context.GetMaterializer();
        _options = context.GetSettings<VadOptions>();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask<IReadOnlyList<SpeechSegment>> PredictAsync(AudioInput item, CancellationToken cancellationToken)
    {
        var samples = item.ToSamples(_name, VadFrame.SampleRate);
        return await Source.Single(samples)
            .Via(SpeechSegmenter.Create(_vad, _options, cancellationToken))
            .RunWith(Sink.Seq<SpeechSegment>(), _materializer)
            .ConfigureAwait(false);
    }
}
