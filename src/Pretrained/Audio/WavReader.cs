using System.Buffers.Binary;

namespace ModelActors.Pretrained.Audio;

/// <summary>Reads a RIFF/WAVE file's PCM 16-bit or IEEE float 32-bit samples as mono (channels averaged). Ours: .NET has no WAV reader.</summary>
public static class WavReader
{
    /// <summary>The mono samples and the sample rate of <paramref name="wav"/>.</summary>
    /// <param name="wav">The file's bytes.</param>
    /// <param name="model">The model's name, for errors.</param>
    /// <returns>The samples in [-1, 1] and the rate.</returns>
    /// <exception cref="ArgumentException">Not a WAV file this reader takes; the message says what was found.</exception>
    public static (float[] Samples, int SampleRate) ReadMono(ReadOnlySpan<byte> wav, string model = "audio")
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new ArgumentException($"Model '{model}': the audio is not a WAV file (no RIFF/WAVE header).");
        }

        int format = 0, channels = 0, rate = 0, bits = 0;
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            var id = wav.Slice(at, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.Slice(at + 4, 4));
            var body = wav[(at + 8)..];
            if (size < 0)
            {
                break;
            }

            if (id.SequenceEqual("fmt "u8) && body.Length >= 16)
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (format == 0xFFFE && size >= 26 && body.Length >= 26)
                {
                    format = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]); // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels == 0)
                {
                    throw new ArgumentException($"Model '{model}': the WAV file has its data before its format chunk.");
                }

                // Streams written live (espeak-ng to a pipe, say) leave the size at its maximum: read what is there.
                var data = size > body.Length || size == 0 ? body : body[..size];
                return (Decode(data, format, channels, bits, model), rate);
            }

            at += 8 + size + (size & 1);
        }

        throw new ArgumentException($"Model '{model}': the WAV file has no data chunk.");
    }

    private static float[] Decode(ReadOnlySpan<byte> data, int format, int channels, int bits, string model)
    {
        if (channels is < 1 or > 32)
        {
            throw new ArgumentException($"Model '{model}': the WAV file says it has {channels} channels.");
        }

        var bytes = bits / 8;
        if (!((format == 1 && bits == 16) || (format == 3 && bits == 32)))
        {
            throw new ArgumentException($"Model '{model}': WAV format {format} with {bits}-bit samples is not supported; send PCM 16-bit or IEEE float 32-bit.");
        }

        var frames = data.Length / (bytes * channels);
        var samples = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            var sum = 0f;
            for (var c = 0; c < channels; c++)
            {
                var sample = data.Slice(((i * channels) + c) * bytes, bytes);
                sum += format == 1 ? BinaryPrimitives.ReadInt16LittleEndian(sample) / 32768f : BinaryPrimitives.ReadSingleLittleEndian(sample);
            }

            samples[i] = sum / channels;
        }

        return samples;
    }
}
