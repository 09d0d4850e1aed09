namespace ModelActors.Pretrained.Audio;

/// <summary>Writes mono samples as a PCM 16-bit WAV file.</summary>
public static class WavWriter
{
    /// <summary>The WAV file's bytes.</summary>
    /// <param name="samples">Mono samples in [-1, 1] (clipped).</param>
    /// <param name="sampleRate">Their rate.</param>
    /// <returns>A RIFF/WAVE file, PCM 16-bit mono.</returns>
    public static byte[] Pcm16(ReadOnlySpan<float> samples, int sampleRate)
    {
        using var stream = new MemoryStream((samples.Length * 2) + 44);
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(36 + (samples.Length * 2));
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(sampleRate);
        writer.Write(sampleRate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(samples.Length * 2);
        foreach (var sample in samples)
        {
            writer.Write((short)Math.Clamp(sample * 32767f, short.MinValue, short.MaxValue));
        }

        writer.Flush();
        return stream.ToArray();
    }
}
