namespace ModelActors.Pretrained.Vad;

/// <summary>A stretch of speech in an audio stream.</summary>
/// <param name="Start">Where it starts, in seconds from the start of the audio.</param>
/// <param name="End">Where it ends, in seconds from the start of the audio.</param>
/// <param name="Probability">The mean speech probability of its frames.</param>
public sealed record SpeechSegment(double Start, double End, double Probability);
