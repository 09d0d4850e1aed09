namespace ModelActors.Pretrained.Vad;

/// <summary>
/// Turns frame probabilities into speech segments, as Silero's <c>get_speech_timestamps</c> does: speech starts at
/// a frame at or above the threshold; inside speech, a run of frames below the negative threshold that lasts the
/// hangover (<see cref="VadOptions.MinSilence"/>) ends it where the run began; shorter runs are bridged.
/// A segment is emitted as soon as it closes, so a live stream gets it without waiting for the end.
/// </summary>
internal sealed class SegmentTracker(VadOptions options, int frameSamples, int sampleRate)
{
    private readonly long _minSilence = Samples(options.MinSilence, sampleRate);
    private readonly long _minSpeech = Samples(options.MinSpeech, sampleRate);
    private readonly long _pad = Samples(options.SpeechPad, sampleRate);
    private long _frames;
    private bool _speaking;
    private long _start;
    private long _silenceStart = -1;
    private double _sum;
    private int _count;
    private double _sumAtSilence;
    private int _countAtSilence;
    private long _lastEnd;

    /// <summary>The next frame's probability; the segment it closes, if any.</summary>
    public SpeechSegment? Push(double probability)
    {
        var frameStart = _frames * frameSamples;
        var frameEnd = frameStart + frameSamples;
        _frames++;
        if (probability >= options.Threshold)
        {
            _silenceStart = -1;
            if (!_speaking)
            {
                _speaking = true;
                _start = frameStart;
                _sum = 0;
                _count = 0;
            }
        }

        if (!_speaking)
        {
            return null;
        }

        if (probability < options.Negative)
        {
            if (_silenceStart < 0)
            {
                _silenceStart = frameStart;
                _sumAtSilence = _sum;
                _countAtSilence = _count;
            }

            if (frameEnd - _silenceStart >= _minSilence)
            {
                _speaking = false;
                return Close(_silenceStart, _sumAtSilence, _countAtSilence, audioEnd: long.MaxValue);
            }
        }

        _sum += probability;
        _count++;
        return null;
    }

    /// <summary>The end of the audio (<paramref name="totalSamples"/> long): the open segment, if any, closes.</summary>
    public SpeechSegment? Complete(long totalSamples)
    {
        if (!_speaking)
        {
            return null;
        }

        _speaking = false;
        return _silenceStart >= 0
            ? Close(_silenceStart, _sumAtSilence, _countAtSilence, totalSamples)
            : Close(Math.Min(totalSamples, _frames * frameSamples), _sum, _count, totalSamples);
    }

    private SpeechSegment? Close(long end, double sum, int count, long audioEnd)
    {
        if (end - _start < _minSpeech || count == 0)
        {
            return null;
        }

        var start = Math.Max(Math.Max(0, _start - _pad), _lastEnd);
        var paddedEnd = Math.Min(audioEnd, end + _pad);
        _lastEnd = paddedEnd;
        return new SpeechSegment((double)start / sampleRate, (double)paddedEnd / sampleRate, sum / count);
    }

    private static long Samples(TimeSpan duration, int sampleRate) => (long)Math.Round(duration.TotalSeconds * sampleRate);
}
