using System.Runtime.InteropServices;
using ModelActors.Onnx.Native;

namespace ModelActors.Onnx;

/// <summary>
/// A loaded ONNX model on ONNX Runtime 1.30 (the official binding's <c>InferenceSession</c>): its input
/// and output metadata, read once at load, and <see cref="Run"/> with named tensors. Safe to call
/// <see cref="Run"/> from many threads at once; disposing waits for no one but is deferred natively
/// until runs in flight return.
/// </summary>
public sealed unsafe class InferenceSession : IDisposable
{
    private readonly SessionHandle _handle;
    private readonly NativeNames _inputNames;
    private readonly NativeNames _outputNames;
    private readonly Dictionary<string, int> _inputIndex;
    private readonly Dictionary<string, int> _outputIndex;

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">An .onnx file.</param>
    /// <param name="options">Session settings; defaults when null.</param>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime could not load the model (missing file, invalid model...).</exception>
    public InferenceSession(string modelPath, OnnxSessionOptions? options = null)
        : this(SessionFactory.FromPath(modelPath ?? throw new ArgumentNullException(nameof(modelPath)), options))
    {
    }

    /// <summary>Loads a model from its bytes.</summary>
    /// <param name="model">The serialized ONNX model.</param>
    /// <param name="options">Session settings; defaults when null.</param>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime could not load the model.</exception>
    public InferenceSession(byte[] model, OnnxSessionOptions? options = null)
        : this(SessionFactory.FromBytes(model ?? throw new ArgumentNullException(nameof(model)), options))
    {
    }

    private InferenceSession(SessionHandle handle)
    {
        _handle = handle;
        try
        {
            InputMetadata = SessionFactory.ReadMetadata(handle.DangerousGetHandle(), input: true);
            OutputMetadata = SessionFactory.ReadMetadata(handle.DangerousGetHandle(), input: false);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        InputNames = [.. InputMetadata.Select(m => m.Name)];
        OutputNames = [.. OutputMetadata.Select(m => m.Name)];
        _inputIndex = InputNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        _outputIndex = OutputNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        _inputNames = new NativeNames(InputNames);
        _outputNames = new NativeNames(OutputNames);
    }

    /// <summary>The version of the ONNX Runtime library in use (1.30.x).</summary>
    public static string RuntimeVersion
    {
        get
        {
            OrtApi.Load();
            return OrtApi.Version;
        }
    }

    /// <summary>The inputs, in model order.</summary>
    public IReadOnlyList<NodeMetadata> InputMetadata { get; }

    /// <summary>The outputs, in model order.</summary>
    public IReadOnlyList<NodeMetadata> OutputMetadata { get; }

    /// <summary>The input names, in model order.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>The output names, in model order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Routes ONNX Runtime's own log lines (warnings and above) to <paramref name="logger"/> (process-wide).</summary>
    /// <param name="logger">The logger.</param>
    public static void UseLogger(Microsoft.Extensions.Logging.ILogger logger) => OrtEnvironment.UseLogger(logger);

    /// <summary>
    /// Runs the model. Every input is checked against the metadata first (names, element types, ranks,
    /// fixed dimensions, nothing missing), so a mismatch is an <see cref="OnnxInputException"/> naming the
    /// input before ONNX Runtime is called.
    /// </summary>
    /// <param name="inputs">The inputs by name.</param>
    /// <param name="outputNames">The outputs to compute; all when null.</param>
    /// <param name="cancellationToken">Terminates the run (ONNX Runtime stops between operators).</param>
    /// <returns>The outputs by name, copied into managed memory.</returns>
    public OnnxTensors Run(IReadOnlyDictionary<string, OnnxTensor> inputs, IReadOnlyList<string>? outputNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Validate(inputs);
        var outputs = outputNames ?? OutputNames;
        foreach (var name in outputs)
        {
            if (!_outputIndex.ContainsKey(name))
            {
                throw new ArgumentException($"The model has no output '{name}'. Outputs: {string.Join(", ", OutputNames)}.", nameof(outputNames));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var inputCount = inputs.Count;
        var inNames = new nint[inputCount];
        var inValues = new nint[inputCount];
        var pins = new GCHandle[inputCount];
        var outNames = new nint[outputs.Count];
        var outValues = new nint[outputs.Count];
        nint runOptions = 0;
        var addedRef = false;
        CancellationTokenRegistration registration = default;
        try
        {
            var i = 0;
            foreach (var (name, tensor) in inputs)
            {
                inNames[i] = _inputNames[_inputIndex[name]];
                inValues[i] = TensorMarshal.ToNative(tensor, out pins[i]);
                i++;
            }

            for (var o = 0; o < outputs.Count; o++)
            {
                outNames[o] = _outputNames[_outputIndex[outputs[o]]];
            }

            if (cancellationToken.CanBeCanceled)
            {
                OrtApi.Check(OrtApi.CreateRunOptions(&runOptions));
                var options = runOptions;
                registration = cancellationToken.Register(() => OrtApi.ReleaseStatus(OrtApi.RunOptionsSetTerminate(options)));
            }

            _handle.DangerousAddRef(ref addedRef);
            fixed (nint* inN = inNames)
            fixed (nint* inV = inValues)
            fixed (nint* outN = outNames)
            fixed (nint* outV = outValues)
            {
                var status = OrtApi.Run(_handle.DangerousGetHandle(), runOptions, inN, inV, (nuint)inputCount, outN, (nuint)outputs.Count, outV);
                if (status != 0 && cancellationToken.IsCancellationRequested)
                {
                    OrtApi.ReleaseStatus(status);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                OrtApi.Check(status);
            }

            var results = new OnnxTensors(outputs.Count);
            for (var o = 0; o < outputs.Count; o++)
            {
                results[outputs[o]] = TensorMarshal.FromNative(outValues[o], outputs[o]);
            }

            return results;
        }
        finally
        {
            // Every native value is released exactly once (outputs ORT allocated even when a later one failed),
            // and only then are the managed buffers unpinned.
            registration.Dispose();
            foreach (var value in outValues)
            {
                if (value != 0)
                {
                    OrtApi.ReleaseValue(value);
                }
            }

            foreach (var value in inValues)
            {
                if (value != 0)
                {
                    OrtApi.ReleaseValue(value);
                }
            }

            foreach (var pin in pins)
            {
                if (pin.IsAllocated)
                {
                    pin.Free();
                }
            }

            if (runOptions != 0)
            {
                OrtApi.ReleaseRunOptions(runOptions);
            }

            if (addedRef)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Releases the native session (after any run in flight returns).</summary>
    public void Dispose()
    {
        _handle.Dispose();
        _inputNames.Dispose();
        _outputNames.Dispose();
    }

    /// <summary>Checks inputs against the metadata; throws <see cref="OnnxInputException"/> naming the input.</summary>
    /// <remarks>One lookup per model input: this runs for every item of every batch.</remarks>
    internal void Validate(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        if (inputs.Count > InputMetadata.Count)
        {
            ThrowUnknownInput(inputs);
        }

        for (var k = 0; k < InputMetadata.Count; k++)
        {
            var expected = InputMetadata[k];
            if (!inputs.TryGetValue(expected.Name, out var tensor))
            {
                // A misspelt name is the likelier mistake: name it rather than the input it stands for.
                ThrowUnknownInput(inputs);
                throw new OnnxInputException(expected.Name, $"Input '{expected.Name}' ({expected}) is missing.");
            }

            ArgumentNullException.ThrowIfNull(tensor, expected.Name);
            Check(expected, tensor);
        }
    }

    private static void Check(NodeMetadata expected, OnnxTensor tensor)
    {
        var name = expected.Name;
        if (!expected.IsTensor)
        {
            throw new OnnxInputException(name, $"Input '{name}' is not a tensor input; only tensor inputs are supported.");
        }

        if (tensor.ElementType != expected.ElementType)
        {
            throw new OnnxInputException(name, $"Input '{name}' must hold {expected.ElementType} elements, but a {tensor.ElementType} tensor was given (expected {expected}).");
        }

        var shape = tensor.Shape;
        if (shape.Count != expected.Rank)
        {
            throw new OnnxInputException(name, $"Input '{name}' must have rank {expected.Rank} ({expected}), but shape [{string.Join(", ", shape)}] was given.");
        }

        for (var d = 0; d < shape.Count; d++)
        {
            var dimension = expected.Dimensions[d];
            if (dimension >= 0 && dimension != shape[d])
            {
                throw new OnnxInputException(name, $"Input '{name}' dimension {d} must be {dimension} ({expected}), but shape [{string.Join(", ", shape)}] was given.");
            }
        }
    }

    /// <summary>Throws for the first input name the model does not have, if any.</summary>
    private void ThrowUnknownInput(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        foreach (var name in inputs.Keys)
        {
            if (!_inputIndex.ContainsKey(name))
            {
                throw new OnnxInputException(name, $"The model has no input '{name}'. Inputs: {string.Join(", ", InputMetadata)}.");
            }
        }
    }
}
