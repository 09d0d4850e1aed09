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
        var format = new WavFormat(1, sampleRate, Pcm: true); // raw PCM 16-bit mono unless a WAV header says otherwise
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
                    if (!WavFormat.TryRead(buffer.AsSpan(0, held), model, out format, out start, out _))
                    {
                        if (end || held == buffer.Length)
                        {
                            throw new ArgumentException($"Model '{model}': the WAV stream's header (up to its data chunk) is missing or longer than {buffer.Length} bytes.");
                        }

                        continue;
                    }

                    if (format.SampleRate != sampleRate)
                    {
                        throw new ArgumentException($"Model '{model}': the WAV stream is at {format.SampleRate} Hz; a live stream must be at {sampleRate} Hz (whole files of any rate go to /models/{model}/predict).");
                    }

                    headerDone = true;
                }
                else if (held >= 4 || end)
                {
                    headerDone = true;
                }
                else
                {
                    continue;
                }
            }

            var used = start + ((held - start) / format.FrameBytes * format.FrameBytes);
            if (used > start)
            {
                yield return format.Decode(buffer.AsSpan(start, used - start));
            }

            buffer.AsSpan(used, held - used).CopyTo(buffer);
            held -= used;
            if (end)
            {
                yield break;
            }
        }
    }
}
