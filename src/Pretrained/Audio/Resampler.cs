namespace ModelActors.Pretrained.Audio;

/// <summary>
/// Changes a mono signal's sample rate with a windowed-sinc (Lanczos, 16 lobes) filter whose cut-off is the lower
/// Nyquist frequency, so downsampling does not alias. Ours: no package on the source does it for .NET without
/// native dependencies, and 30 lines suffice for speech.
/// </summary>
public static class Resampler
{
    private const int Lobes = 16;

    /// <summary>The signal at <paramref name="to"/> Hz.</summary>
    /// <param name="samples">The signal at <paramref name="from"/> Hz.</param>
    /// <param name="from">Its rate.</param>
    /// <param name="to">The rate wanted.</param>
    /// <returns>The resampled signal.</returns>
    public static float[] Resample(float[] samples, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, 1);
        if (from == to)
        {
            return (float[])samples.Clone();
        }

        var ratio = (double)to / from;
        var cutoff = Math.Min(1.0, ratio); // relative to the input's Nyquist frequency
        var length = (int)Math.Floor(samples.Length * ratio);
        var output = new float[length];
        var radius = Lobes / cutoff;
        for (var i = 0; i < length; i++)
        {
            var center = i / ratio;
            var first = Math.Max(0, (int)Math.Ceiling(center - radius));
            var last = Math.Min(samples.Length - 1, (int)Math.Floor(center + radius));
            double sum = 0, weights = 0;
            for (var j = first; j <= last; j++)
            {
                var x = (j - center) * cutoff;
                var weight = Sinc(x) * Sinc(x / Lobes);
                sum += samples[j] * weight;
                weights += weight;
            }

            output[i] = weights == 0 ? 0 : (float)(sum / weights);
        }

        return output;
    }

    private static double Sinc(double x) => Math.Abs(x) < 1e-9 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
}
