using System.Diagnostics;

namespace ModelActors.Pretrained.Audio;

/// <summary>Speech synthesized by espeak-ng (Debian's package), for sample inputs and tests: its 22,050 Hz output resampled.</summary>
public static class Espeak
{
    /// <summary><paramref name="text"/> spoken by espeak-ng, as mono samples at <paramref name="sampleRate"/>.</summary>
    /// <param name="text">What to say.</param>
    /// <param name="sampleRate">The rate wanted (16 kHz for the voice-activity models).</param>
    /// <param name="cancellationToken">Stops waiting for espeak-ng.</param>
    /// <returns>The samples.</returns>
    /// <exception cref="InvalidOperationException">espeak-ng is missing or failed; the message says which.</exception>
    public static async Task<float[]> SpeakAsync(string text, int sampleRate = 16000, CancellationToken cancellationToken = default)
    {
        var file = Path.Combine(Path.GetTempPath(), $"modelactors-speech-{Guid.NewGuid():N}.wav");
        try
        {
            var start = new ProcessStartInfo("espeak-ng") { ArgumentList = { "-w", file, text }, RedirectStandardError = true };
            using var espeak = StartOrExplain(start);
            await espeak.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (espeak.ExitCode != 0)
            {
                throw new InvalidOperationException($"espeak-ng failed ({espeak.ExitCode}): {await espeak.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false)}");
            }

            var (samples, rate) = WavReader.ReadMono(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false));
            return rate == sampleRate ? samples : Resampler.Resample(samples, rate, sampleRate);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Process StartOrExplain(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("espeak-ng did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"espeak-ng could not be run (install Debian's espeak-ng): {exception.Message}", exception);
        }
    }
}
