namespace ModelActors.Pretrained.Audio;

/// <summary>Audio for a model: a WAV file's bytes (JSON: base64 in <c>wav</c>) or mono float samples in [-1, 1] at 16 kHz (<c>samples</c>).</summary>
public sealed class AudioInput
{
    /// <summary>A WAV file: PCM 16-bit or IEEE float 32-bit, any channel count (averaged), any rate (resampled).</summary>
    public byte[]? Wav { get; init; }

    /// <summary>Mono samples at 16 kHz.</summary>
    public float[]? Samples { get; init; }

    /// <summary>The audio as mono samples at <paramref name="sampleRate"/>.</summary>
    /// <param name="model">The model's name, for errors.</param>
    /// <param name="sampleRate">The rate the model takes.</param>
    /// <returns>The samples.</returns>
    /// <exception cref="ArgumentException">Neither or both forms are given, or the WAV file cannot be read; the message says which.</exception>
    public float[] ToSamples(string model, int sampleRate)
    {
        if ((Wav is null) == (Samples is null))
        {
            throw new ArgumentException($"Model '{model}' takes audio as either 'wav' (a WAV file, base64 in JSON) or 'samples' (mono floats at {sampleRate} Hz), exactly one of them.");
        }

        if (Samples is not null)
        {
            return Samples;
        }

        var (samples, rate) = WavReader.ReadMono(Wav!, model);
        return rate == sampleRate ? samples : Resampler.Resample(samples, rate, sampleRate);
    }
}
