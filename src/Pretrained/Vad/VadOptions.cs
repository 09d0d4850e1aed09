namespace ModelActors.Pretrained.Vad;

/// <summary>How frame probabilities become speech segments (Silero's own segmentation, with its defaults but a longer hangover).</summary>
public sealed class VadOptions
{
    /// <summary>A frame at or above this probability is speech. Default 0.5.</summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>Inside speech, a frame below this probability is silence (hysteresis). Default <see cref="Threshold"/> − 0.15.</summary>
    public double? NegativeThreshold { get; set; }

    /// <summary>The hangover: silence shorter than this inside speech does not end the segment. Default 300 ms.</summary>
    public TimeSpan MinSilence { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Segments shorter than this are dropped. Default 250 ms.</summary>
    public TimeSpan MinSpeech { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Added before the start and after the end of each segment (within the audio). Default 30 ms.</summary>
    public TimeSpan SpeechPad { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>The hysteresis threshold in effect.</summary>
    internal double Negative => NegativeThreshold ?? Math.Max(0.01, Threshold - 0.15);
}
