namespace ModelActors.Pretrained.Audio;

/// <summary>Reads a RIFF/WAVE file's PCM 16-bit or IEEE float 32-bit samples as mono (channels averaged).</summary>
public static class WavReader
{
    /// <summary>The mono samples and the sample rate of <paramref name="wav"/>.</summary>
    /// <param name="wav">The file's bytes.</param>
    /// <param name="model">The model's name, for errors.</param>
    /// <returns>The samples in [-1, 1] and the rate.</returns>
    /// <exception cref="ArgumentException">Not a WAV file this reader takes; the message says what was found.</exception>
    public static (float[] Samples, int SampleRate) ReadMono(ReadOnlySpan<byte> wav, string model = "audio")
    {
        if (!WavFormat.TryRead(wav, model, out var format, out var start, out var size))
        {
            throw new ArgumentException(wav.Length < 12
                ? $"Model '{model}': the audio is not a WAV file (no RIFF/WAVE header)."
                : $"Model '{model}': the WAV file has no data chunk.");
        }

        // Streams written live (espeak-ng to a pipe, say) leave the size at its maximum or zero: read what is there.
        var body = wav[start..];
        return (format.Decode(size > body.Length || size <= 0 ? body : body[..size]), format.SampleRate);
    }
}
