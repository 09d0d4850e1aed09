using Akka;
using Akka.Streams.Dsl;
using ModelActors.Onnx;

namespace ModelActors.Pretrained.Vad;

/// <summary>
/// Voice activity as an Akka.Streams graph: 16 kHz mono audio chunks (any length) in, speech segments out, each as
/// soon as it closes. Frames (512 new samples + 64 of context) go one at a time through the <c>vad</c> model, each
/// call carrying this stream's recurrent state, so concurrent streams' frames share the model's batches; the
/// probabilities then pass a threshold with hysteresis and a hangover (<see cref="VadOptions"/>).
/// </summary>
/// <example>
/// <code>
/// var segments = await microphoneChunks            // Source&lt;float[], NotUsed&gt; at 16 kHz
///     .Via(SpeechSegmenter.Create(library.Get&lt;OnnxTensors, OnnxTensors&gt;("vad")))
///     .RunForeach(s =&gt; Console.WriteLine($"speech {s.Start:F2}–{s.End:F2} s"), materializer);
/// </code>
/// </example>
public static class SpeechSegmenter
{
    /// <summary>The flow; each materialization is one audio stream with its own state.</summary>
    /// <param name="vad">The Silero VAD v5 model (an <see cref="OnnxModel"/> with <c>state</c> batched on axis 1 and <c>sr</c> shared).</param>
    /// <param name="options">The segmentation settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the model calls.</param>
    /// <returns>The flow from audio chunks to segments.</returns>
    public static Flow<float[], SpeechSegment, NotUsed> Create(IModelClient<OnnxTensors, OnnxTensors> vad, VadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vad);
        var settings = options ?? new VadOptions();
        return Flow.Setup<float[], SpeechSegment, NotUsed>((_, _) =>
        {
            // One per materialization: this stream's framing, recurrent state and segmentation.
            var framer = new VadFramer();
            var state = new VadState();
            var tracker = new SegmentTracker(settings, VadFrame.NewSamples, VadFrame.SampleRate);
            return Flow.Create<float[]>()
                .Select(chunk => new Chunk(chunk))
                .Concat(Source.Single(Chunk.End))
                .SelectMany(chunk => framer.Push(chunk.Samples))
                .SelectAsync(1, async frame =>
                {
                    if (frame.Samples is not null)
                    {
                        frame.Probability = await state.RunAsync(vad, frame, cancellationToken).ConfigureAwait(false);
                    }

                    return frame;
                })
                .SelectMany(frame => (frame.Samples is null ? tracker.Complete(frame.TotalSamples) : tracker.Push(frame.Probability)) is { } segment
                    ? [segment]
                    : Array.Empty<SpeechSegment>());
        }).MapMaterializedValue(_ => NotUsed.Instance);
    }

    /// <summary>A chunk as a reference element, with an end marker (null samples) so that the last frame and segment are flushed.</summary>
    private sealed record Chunk(float[]? Samples)
    {
        public static readonly Chunk End = new((float[]?)null);
    }
}
