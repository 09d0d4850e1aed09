using ModelActors.Onnx;

namespace ModelActors.Pretrained.Vad;

/// <summary>A frame for Silero VAD v5: 64 samples of context (the previous frame's tail) and 512 new ones, at 16 kHz; or the end of the audio.</summary>
internal sealed class VadFrame
{
    public const int SampleRate = 16000;
    public const int NewSamples = 512;
    public const int Context = 64;

    public static VadFrame End(long totalSamples) => new(null, totalSamples);

    private VadFrame(float[]? samples, long totalSamples)
    {
        Samples = samples;
        TotalSamples = totalSamples;
    }

    public VadFrame(float[] samples)
        : this(samples, 0)
    {
    }

    /// <summary>The 576 samples (context + new), or null for the end marker.</summary>
    public float[]? Samples { get; }

    /// <summary>For the end marker: how many samples the audio had.</summary>
    public long TotalSamples { get; }

    /// <summary>The model's speech probability for the frame (set after the call).</summary>
    public double Probability { get; set; }
}

/// <summary>Cuts audio chunks of any length into <see cref="VadFrame"/>s, keeping the context across chunks; the last partial frame is padded with silence.</summary>
internal sealed class VadFramer
{
    private readonly float[] _pending = new float[VadFrame.NewSamples];
    private readonly float[] _context = new float[VadFrame.Context];
    private int _filled;
    private long _total;

    /// <summary>The frames completed by <paramref name="chunk"/> (null: the end of the audio).</summary>
    public IEnumerable<VadFrame> Push(float[]? chunk)
    {
        if (chunk is null)
        {
            if (_filled > 0)
            {
                Array.Clear(_pending, _filled, _pending.Length - _filled);
                yield return Emit();
            }

            yield return VadFrame.End(_total);
            yield break;
        }

        _total += chunk.Length;
        var at = 0;
        while (at < chunk.Length)
        {
            var take = Math.Min(chunk.Length - at, VadFrame.NewSamples - _filled);
            Array.Copy(chunk, at, _pending, _filled, take);
            _filled += take;
            at += take;
            if (_filled == VadFrame.NewSamples)
            {
                yield return Emit();
            }
        }
    }

    private VadFrame Emit()
    {
        var samples = new float[VadFrame.Context + VadFrame.NewSamples];
        _context.CopyTo(samples, 0);
        _pending.CopyTo(samples, VadFrame.Context);
        Array.Copy(_pending, VadFrame.NewSamples - VadFrame.Context, _context, 0, VadFrame.Context);
        _filled = 0;
        return new VadFrame(samples);
    }
}

/// <summary>One audio stream's recurrent state between calls of the <c>vad</c> model.</summary>
internal sealed class VadState
{
    private static readonly OnnxTensor SampleRateTensor = OnnxTensor.Scalar((long)VadFrame.SampleRate);
    private float[] _state = new float[2 * 128];

    /// <summary>Runs the model on <paramref name="frame"/> with this stream's state, keeps the new state, answers the speech probability.</summary>
    public async Task<double> RunAsync(IModelClient<OnnxTensors, OnnxTensors> vad, VadFrame frame, CancellationToken cancellationToken)
    {
        var inputs = new OnnxTensors
        {
            ["input"] = OnnxTensor.Create(frame.Samples!, 1, VadFrame.Context + VadFrame.NewSamples),
            ["state"] = OnnxTensor.Create(_state, 2, 1, 128),
            ["sr"] = SampleRateTensor,
        };
        var outputs = await vad.PredictAsync(inputs, cancellationToken).ConfigureAwait(false);
        _state = outputs["stateN"].GetData<float>();
        return outputs["output"].GetData<float>()[0];
    }
}
