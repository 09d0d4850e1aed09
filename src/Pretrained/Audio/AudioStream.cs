using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ModelActors.Pretrained.Audio;

/// <summary>
/// Reads live audio from a stream as it arrives, as mono float chunks: a WAV stream (its header first; PCM 16-bit
/// or float 32-bit, channels averaged) or raw PCM 16-bit little-endian mono. The rate must be the model's: a live
/// stream is not resampled.
/// </summary>
public static class AudioStream
{
    /// <summary>The chunks of <paramref name="body"/>.</summary>
    /// <param name="body">The audio stream.</param>
    /// <param name="sampleRate">The rate the model takes; a WAV header with another rate is refused.</param>
    /// <param name="model">The model's name, for errors.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>Mono chunks, in order.</returns>
    public static async IAsyncEnumerable<float[]> ReadAsync(Stream body, int sampleRate, string model, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var buffer = new byte[16384];
        var held = 0; // bytes at the start of buffer not yet decoded
        int channels = 1, bytesPerSample = 2;
        var pcm = true;
        var headerDone = false;
        while (true)
        {
            var read = await body.ReadAsync(buffer.AsMemory(held), cancellationToken).ConfigureAwait(false);
            var end = read == 0;
            held += read;
            var start = 0;
            if (!headerDone)
            {
                if (held >= 4 && buffer.AsSpan(0, 4).SequenceEqual("RIFF"u8))
                {
                    if (Header(buffer.AsSpan(0, held), sampleRate, model) is not { } header)
                    {
                        if (end || held == buffer.Length)
                        {
                            throw new ArgumentException($"Model '{model}': the WAV stream's header (up to its data chunk) is missing or longer than {buffer.Length} bytes.");
                        }

                        continue;
                    }

                    (start, channels, bytesPerSample, pcm) = header;
                    headerDone = true;
                }
                else if (held >= 4 || end)
                {
                    headerDone = true; // raw PCM 16-bit mono
                }
                else
                {
                    continue;
                }
            }

            var frame = channels * bytesPerSample;
            var frames = (held - start) / frame;
            if (frames > 0)
            {
                var chunk = new float[frames];
                for (var i = 0; i < frames; i++)
                {
                    var sum = 0f;
                    for (var c = 0; c < channels; c++)
                    {
                        var sample = buffer.AsSpan(start + (i * frame) + (c * bytesPerSample), bytesPerSample);
                        sum += pcm ? BinaryPrimitives.ReadInt16LittleEndian(sample) / 32768f : BinaryPrimitives.ReadSingleLittleEndian(sample);
                    }

                    chunk[i] = sum / channels;
                }

                yield return chunk;
            }

            var used = start + (frames * frame);
            buffer.AsSpan(used, held - used).CopyTo(buffer);
            held -= used;
            if (end)
            {
                yield break;
            }
        }
    }

    /// <summary>Where the samples start and their layout, or null while the header is incomplete.</summary>
    private static (int Start, int Channels, int BytesPerSample, bool Pcm)? Header(ReadOnlySpan<byte> wav, int sampleRate, string model)
    {
        if (wav.Length < 12)
        {
            return null;
        }

        int format = 0, channels = 0, rate = 0, bits = 0;
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            var id = wav.Slice(at, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav.Slice(at + 4, 4));
            if (id.SequenceEqual("data"u8))
            {
                if (channels == 0)
                {
                    throw new ArgumentException($"Model '{model}': the WAV stream has its data before its format chunk.");
                }

                if (rate != sampleRate)
                {
                    throw new ArgumentException($"Model '{model}': the WAV stream is at {rate} Hz; a live stream must be at {sampleRate} Hz (whole files of any rate go to /models/{model}/predict).");
                }

                if (!((format == 1 && bits == 16) || (format == 3 && bits == 32)) || channels is < 1 or > 32)
                {
                    throw new ArgumentException($"Model '{model}': WAV format {format} with {bits}-bit samples and {channels} channels is not supported; send PCM 16-bit or IEEE float 32-bit.");
                }

                return (at + 8, channels, bits / 8, format == 1);
            }

            if (at + 8 + size > wav.Length)
            {
                return null;
            }

            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                var body = wav.Slice(at + 8, size);
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (format == 0xFFFE && size >= 26)
                {
                    format = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]);
                }
            }

            at += 8 + size + (size & 1);
        }

        return null;
    }
}
