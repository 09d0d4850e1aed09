using Akka.Streams;
using Akka.Streams.Dsl;
using ModelActors.Onnx;
using ModelActors.Pretrained.Audio;
using ModelActors.Pretrained.Vad;
using ModelActors.Streams;

namespace ModelActors.Tests.Pretrained;

/// <summary>Silero VAD v5 and the speech segmenter on speech synthesized by espeak-ng: golden segments, silence, batching, live streams.</summary>
public sealed class VoiceActivityTests
{
    private const string Sentence = "hello world, this is a test of voice activity detection";

    [Fact]
    public async Task SynthesizedSpeech_PaddedWithSilence_IsOneSegment_WhereTheSpeechIs()
    {
        var speech = await VadLibrary.SpeakAsync(Sentence);
        await using var library = VadLibrary.Create();

        var segments = await library.Get<AudioInput, IReadOnlyList<SpeechSegment>>("speech-segments")
            .PredictAsync(new AudioInput { Samples = VadLibrary.Padded(speech, 1.0) });

        var segment = Assert.Single(segments);
        var speechEnd = 1.0 + (speech.Length / 16000.0);
        Assert.InRange(segment.Start, 1.0 - 0.15, 1.0 + 0.15);
        Assert.InRange(segment.End, 1.0 + 1.0, speechEnd + 0.3);
        Assert.InRange(segment.Probability, 0.5, 1.0);
    }

    [Fact]
    public async Task Silence_HasNoSegments()
    {
        await using var library = VadLibrary.Create();

        var segments = await library.Get<AudioInput, IReadOnlyList<SpeechSegment>>("speech-segments")
            .PredictAsync(new AudioInput { Samples = new float[3 * 16000] });

        Assert.Empty(segments);
    }

    [Fact]
    public async Task BatchedFrames_EqualOneByOneFrames()
    {
        var speech = VadLibrary.Padded(await VadLibrary.SpeakAsync("testing one two three"), 0.2);
        await using var library = VadLibrary.Create();
        var vad = library.Get<OnnxTensors, OnnxTensors>("vad");
        var frames = Enumerable.Range(0, 24).Select(i => VadLibrary.Frame(speech.AsSpan(i * 512, 576).ToArray(), new float[256])).ToList();

        var batched = await vad.PredictBatchAsync(frames, batchSize: frames.Count);
        var single = new List<OnnxTensors>();
        foreach (var frame in frames)
        {
            single.Add(await vad.PredictAsync(frame));
        }

        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(single[i]["output"].GetData<float>()[0], batched[i]["output"].GetData<float>()[0], 4);
            Assert.Equal(single[i]["stateN"].GetData<float>(), batched[i]["stateN"].GetData<float>(), new FloatTolerance(1e-4f));
        }
    }

    [Fact]
    public async Task TheFlow_OverLiveChunks_GivesTheSameSegmentsAsTheWholeAudio_AndConcurrentStreamsShareBatches()
    {
        var audio = VadLibrary.Padded(await VadLibrary.SpeakAsync(Sentence), 1.0);
        await using var library = VadLibrary.Create();
        var vad = library.Get<OnnxTensors, OnnxTensors>("vad");
        var whole = await library.Get<AudioInput, IReadOnlyList<SpeechSegment>>("speech-segments").PredictAsync(new AudioInput { Samples = audio });

        // Four streams at once, each in uneven chunks (as a microphone delivers them).
        var chunks = Enumerable.Range(0, (audio.Length + 999) / 1000).Select(i => audio.AsSpan(i * 1000, Math.Min(1000, audio.Length - (i * 1000))).ToArray()).ToList();
        var streams = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Source.From(chunks).Via(SpeechSegmenter.Create(vad)).RunWith(Sink.Seq<SpeechSegment>(), library.ActorSystem.Materializer())));

        Assert.All(streams, segments => Assert.Equal(whole, segments));
    }

    [Fact]
    public void TheResampler_KeepsATonesFrequency_AndLength()
    {
        var tone = Enumerable.Range(0, 22050).Select(i => (float)Math.Sin(2 * Math.PI * 440 * i / 22050)).ToArray();

        var resampled = Resampler.Resample(tone, 22050, 16000);

        Assert.Equal(16000, resampled.Length);
        var crossings = Enumerable.Range(1, resampled.Length - 1).Count(i => resampled[i - 1] < 0 && resampled[i] >= 0);
        Assert.InRange(crossings, 439, 441); // 440 Hz for one second
    }

    [Fact]
    public void BadAudio_IsRefusedNamingTheModelAndWhatWasWrong()
    {
        Assert.Contains("exactly one of them", Assert.Throws<ArgumentException>(() => new AudioInput().ToSamples("speech-segments", 16000)).Message, StringComparison.Ordinal);
        Assert.Contains("not a WAV file", Assert.Throws<ArgumentException>(() => new AudioInput { Wav = [1, 2, 3] }.ToSamples("speech-segments", 16000)).Message, StringComparison.Ordinal);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
