using System.Buffers.Binary;

namespace ModelActors.Pretrained.Audio;

/// <summary>
/// A WAV file's sample layout, read from its RIFF chunks up to the data chunk, and the decoding of its samples to mono
/// floats (channels averaged). Shared by the whole-file reader and the live stream reader. Ours: .NET has no WAV reader.
/// </summary>
/// <param name="Channels">Channels per frame.</param>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="Pcm">True for PCM 16-bit, false for IEEE float 32-bit.</param>
internal sealed record WavFormat(int Channels, int SampleRate, bool Pcm)
{
    /// <summary>Bytes per frame (all channels).</summary>
    public int FrameBytes => Channels * (Pcm ? 2 : 4);

    /// <summary>
    /// Reads the header of <paramref name="wav"/>: the format and where the data starts, with the data chunk's declared
    /// size; false while the header is incomplete (a stream still arriving).
    /// </summary>
    /// <exception cref="ArgumentException">Not a WAV file, or a layout this reader does not take; the message names the model.</exception>
    public static bool TryRead(ReadOnlySpan<byte> wav, string model, out WavFormat format, out int dataStart, out int dataSize)
    {
        format = null!;
        dataStart = dataSize = 0;
        if (wav.Length < 12)
        {
            return false;
        }

        if (!wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new ArgumentException($"Model '{model}': the audio is not a WAV file (no RIFF/WAVE header).");
        }

        int type = 0, channels = 0, rate = 0, bits = 0;
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            var id = wav.Slice(at, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.Slice(at + 4, 4));
            if (id.SequenceEqual("data"u8))
            {
                if (channels == 0)
                {
                    throw new ArgumentException($"Model '{model}': the WAV file has its data before its format chunk.");
                }

                if (!((type == 1 && bits == 16) || (type == 3 && bits == 32)) || channels is < 1 or > 32)
                {
                    throw new ArgumentException($"Model '{model}': WAV format {type} with {bits}-bit samples and {channels} channels is not supported; send PCM 16-bit or IEEE float 32-bit.");
                }

                format = new WavFormat(channels, rate, type == 1);
                dataStart = at + 8;
                dataSize = size;
                return true;
            }

            if (size < 0 || at + 8 + size > wav.Length)
            {
                return false;
            }

            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                var body = wav.Slice(at + 8, size);
                type = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (type == 0xFFFE && size >= 26)
                {
                    type = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]); // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
                }
            }

            at += 8 + size + (size & 1);
        }

        return false;
    }

    /// <summary>The whole frames of <paramref name="data"/> as mono samples in [-1, 1].</summary>
    public float[] Decode(ReadOnlySpan<byte> data)
    {
        var bytes = Pcm ? 2 : 4;
        var samples = new float[data.Length / FrameBytes];
        for (var i = 0; i < samples.Length; i++)
        {
            var sum = 0f;
            for (var c = 0; c < Channels; c++)
            {
                var sample = data.Slice(((i * Channels) + c) * bytes, bytes);
                sum += Pcm ? BinaryPrimitives.ReadInt16LittleEndian(sample) / 32768f : BinaryPrimitives.ReadSingleLittleEndian(sample);
            }

            samples[i] = sum / Channels;
        }

        return samples;
    }
}
