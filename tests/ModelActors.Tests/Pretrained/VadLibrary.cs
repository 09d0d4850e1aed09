using ModelActors.Onnx;
using ModelActors.Pretrained.Audio;
using ModelActors.Pretrained.Vad;

namespace ModelActors.Tests.Pretrained;

/// <summary>The voice-activity models as the default configuration serves them, and speech the tests synthesize.</summary>
internal static class VadLibrary
{
    /// <summary>Where the build copied the fetched models.</summary>
    public static string ModelPath(string file) => Path.Combine(AppContext.BaseDirectory, "models", file);

    /// <summary><c>vad</c> (Silero v5, batching on, state on axis 1, sr shared) and <c>speech-segments</c>.</summary>
    public static ModelLibrary Create(int maxBatchSize = 64) => ModelLibrary.CreateBuilder()
        .AddOnnxModel("vad", ModelPath("silero_vad_v5.onnx"), s =>
        {
            s.IntraOpNumThreads = 1;
            s.BatchAxes["state"] = 1;
            s.OutputBatchAxes["stateN"] = 1;
            s.SharedInputs.Add("sr");
        }, o => o.MaxBatchSize = maxBatchSize)
        .AddModel<SpeechSegmentsModel>("speech-segments", o => o.Dependencies.Add("vad"))
        .Build();

    /// <summary><paramref name="text"/> spoken by espeak-ng (Debian's package, installed by .ci/run), resampled from its 22,050 Hz to 16 kHz.</summary>
    public static Task<float[]> SpeakAsync(string text) => Espeak.SpeakAsync(text);

    /// <summary><paramref name="speech"/> with <paramref name="seconds"/> of silence on each side.</summary>
    public static float[] Padded(float[] speech, double seconds)
    {
        var pad = (int)(seconds * 16000);
        var audio = new float[speech.Length + (2 * pad)];
        speech.CopyTo(audio, pad);
        return audio;
    }

    /// <summary>One Silero frame's inputs: 576 samples, a state, the rate.</summary>
    public static OnnxTensors Frame(float[] samples, float[] state) => new()
    {
        ["input"] = OnnxTensor.Create(samples, 1, 576),
        ["state"] = OnnxTensor.Create(state, 2, 1, 128),
        ["sr"] = OnnxTensor.Scalar(16000L),
    };
}
