using System.Runtime.InteropServices;
using ModelActors.Onnx.Runtime;
using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Onnx;

/// <summary>
/// A loaded ONNX model on the official ONNX Runtime package (<c>Microsoft.ML.OnnxRuntime</c>): its input
/// and output metadata, read once at load, and <c>Run</c> with named tensors (or, for models with sequences and
/// optionals, named <see cref="OnnxValue"/>s). Safe to call <c>Run</c> from many threads at once; disposing is deferred until the runs in flight return
/// (the package itself would crash the process).
/// </summary>
public sealed partial class InferenceSession : IDisposable
{
    private readonly Ort.InferenceSession _session;
    private readonly Ort.RunOptions _uncancellable = new();
    private readonly RunLease _lease;
    private readonly HashSet<string> _inputIndex;
    private readonly Dictionary<string, int> _outputIndex;
    private readonly bool _tensorOutputsOnly;
    private readonly OutputShapes? _outputShapes;
    private readonly int[] _allOutputs;
    private volatile bool _preallocate;
    private long _runsWrittenInPlace;

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

    private InferenceSession(Ort.InferenceSession session)
    {
        _session = session;
        try
        {
            InputMetadata = SessionFactory.ReadMetadata(session.InputNames, session.InputMetadata);
            OutputMetadata = SessionFactory.ReadMetadata(session.OutputNames, session.OutputMetadata);
        }
        catch
        {
            session.Dispose();
            _uncancellable.Dispose();
            throw;
        }

        InputNames = [.. InputMetadata.Select(m => m.Name)];
        OutputNames = [.. OutputMetadata.Select(m => m.Name)];
        _inputIndex = new HashSet<string>(InputNames, StringComparer.Ordinal);
        _outputIndex = OutputNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        _tensorOutputsOnly = OutputMetadata.All(m => m.IsTensor);
        _outputShapes = OutputShapes.For(InputMetadata, OutputMetadata);
        _allOutputs = [.. Enumerable.Range(0, OutputNames.Count)];
        _preallocate = _outputShapes is not null;
        _lease = new RunLease(() =>
        {
            _session.Dispose();
            _uncancellable.Dispose();
        });
    }

    /// <summary>The version of the ONNX Runtime library in use (1.31.x).</summary>
    public static string RuntimeVersion
    {
        get
        {
            OrtEnvironment.EnsureCreated();
            return Ort.OrtEnv.Instance().GetVersionString();
        }
    }

    /// <summary>
    /// Whether ONNX Runtime may write its telemetry (a device id and an event queue under the user's cache
    /// folder). Off by default: ModelActors sets <c>ORT_DISABLE_TELEMETRY=1</c> before ONNX Runtime's first
    /// use unless this is set first.
    /// </summary>
    public static bool AllowTelemetry
    {
        get => OrtEnvironment.AllowTelemetry;
        set => OrtEnvironment.AllowTelemetry = value;
    }

    /// <summary>The inputs, in model order.</summary>
    public IReadOnlyList<NodeMetadata> InputMetadata { get; }

    /// <summary>The outputs, in model order.</summary>
    public IReadOnlyList<NodeMetadata> OutputMetadata { get; }

    /// <summary>
    /// Whether runs write outputs straight into the arrays they return (their shapes known from the metadata before
    /// the run); turned off for good once ONNX Runtime refuses such buffers for this model.
    /// </summary>
    internal bool PreallocatesOutputs => _preallocate;

    /// <summary>How many runs had their outputs written in place (for tests).</summary>
    internal long RunsWrittenInPlace => Interlocked.Read(ref _runsWrittenInPlace);

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
    /// input before ONNX Runtime is called. Tensors only: a model with sequence or optional inputs or
    /// outputs runs through <see cref="Run(IReadOnlyDictionary{string, OnnxValue}, IReadOnlyList{string}?, CancellationToken)"/>.
    /// </summary>
    /// <param name="inputs">The inputs by name.</param>
    /// <param name="outputNames">The outputs to compute; all when null.</param>
    /// <param name="cancellationToken">Terminates the run (ONNX Runtime stops between operators).</param>
    /// <returns>
    /// The outputs by name, in managed memory: written there by ONNX Runtime when their shapes follow from the
    /// metadata (fixed dimensions, symbolic ones named like an input's), else copied out of its buffers.
    /// </returns>
    /// <exception cref="ObjectDisposedException">The session was disposed.</exception>
    public OnnxTensors Run(IReadOnlyDictionary<string, OnnxTensor> inputs, IReadOnlyList<string>? outputNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Validate(inputs);
        var outputs = CheckOutputNames(outputNames);
        if (outputNames is not null || !_tensorOutputsOnly)
        {
            foreach (var name in outputs)
            {
                if (!OutputMetadata[OutputIndex(name)].IsTensor)
                {
                    throw new ArgumentException($"Output '{name}' ({OutputMetadata[OutputIndex(name)]}) is not a tensor: run the model with OnnxValue inputs to read it, or name only tensor outputs.", nameof(outputNames));
                }
            }
        }

        var names = new string[inputs.Count];
        var values = new Ort.OrtValue?[inputs.Count];
        var pins = new GCHandle[inputs.Count];
        try
        {
            if (inputs is OnnxTensors set)
            {
                // Every item of every batch comes this way: walked by position, without an enumerator.
                for (var i = 0; i < names.Length; i++)
                {
                    names[i] = set.NameAt(i);
                    values[i] = OrtValues.ToOrt(set.TensorAt(i), out pins[i]);
                }
            }
            else
            {
                var i = 0;
                foreach (var (name, tensor) in inputs)
                {
                    names[i] = name;
                    values[i] = OrtValues.ToOrt(tensor, out pins[i]);
                    i++;
                }
            }

            if (_preallocate && _outputShapes!.Resolve(inputs, outputNames is null ? _allOutputs : DistinctIndices(outputs)) is { } shapes)
            {
                try
                {
                    return RunInto(names, values!, outputs, shapes, cancellationToken);
                }
                catch (OnnxRuntimeException) when (!cancellationToken.IsCancellationRequested)
                {
                    // ONNX Runtime refused the buffers (the metadata promised shapes the model does not make: "OrtValue
                    // shape verification failed", "Got invalid dimensions for output", ...) or the run failed for its own
                    // reasons: the usual run below tells which, and throws the model's own error. Matching the refusals'
                    // texts instead would spare a failing run its second go, but fail a good run on a text not listed.
                    var result = RunOrt(names, values!, outputs, null, ReadOutputs, cancellationToken);
                    _preallocate = false;
                    return result;
                }
            }

            return RunOrt(names, values!, outputs, null, ReadOutputs, cancellationToken);
        }
        finally
        {
            OrtValues.Release(values, pins);
        }
    }

    /// <summary>The indices of <paramref name="outputs"/>; null when one is named twice (ONNX Runtime would write only one of its buffers).</summary>
    private int[]? DistinctIndices(IReadOnlyList<string> outputs)
    {
        var indices = new int[outputs.Count];
        for (var o = 0; o < indices.Length; o++)
        {
            indices[o] = OutputIndex(outputs[o]);
            if (Array.IndexOf(indices, indices[o], 0, o) >= 0)
            {
                return null;
            }
        }

        return indices;
    }

    /// <summary>Copies the outputs ONNX Runtime allocated into managed tensors.</summary>
    private static OnnxTensors ReadOutputs(IReadOnlyList<Ort.OrtValue> results, IReadOnlyList<string> outputs)
    {
        var tensors = new OnnxTensors(outputs.Count);
        for (var o = 0; o < outputs.Count; o++)
        {
            tensors[outputs[o]] = OrtValues.FromOrt(results[o], outputs[o]);
        }

        return tensors;
    }

    /// <summary>Runs with every output written by ONNX Runtime straight into a new managed array of its known <paramref name="shapes"/>.</summary>
    private OnnxTensors RunInto(string[] names, Ort.OrtValue[] values, IReadOnlyList<string> outputs, long[][] shapes, CancellationToken cancellationToken)
    {
        var set = new OnnxTensors(outputs.Count);
        var into = new Ort.OrtValue?[outputs.Count];
        var pins = new GCHandle[outputs.Count];
        try
        {
            for (var o = 0; o < into.Length; o++)
            {
                var type = OutputMetadata[OutputIndex(outputs[o])].ElementType;
                var count = 1L;
                foreach (var dimension in shapes[o])
                {
                    count *= dimension;
                }

                var tensor = OnnxTensor.FromNative(type, shapes[o], TensorElementTypes.NewArray(type, count, filledLater: true));
                set[outputs[o]] = tensor;
                into[o] = OrtValues.ToOrt(tensor, out pins[o]);
            }

            RunOrt(names, values, outputs, into!, static (_, _) => true, cancellationToken);
            Interlocked.Increment(ref _runsWrittenInPlace);
        }
        finally
        {
            OrtValues.Release(into, pins);
        }

        return set;
    }

    /// <summary>Releases the session once the runs in flight return; later runs throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _lease.Close();

    /// <summary>The outputs to compute: <paramref name="outputNames"/>, checked, or all.</summary>
    private IReadOnlyList<string> CheckOutputNames(IReadOnlyList<string>? outputNames)
    {
        var outputs = outputNames ?? OutputNames;
        foreach (var name in outputs)
        {
            if (!_outputIndex.ContainsKey(name))
            {
                throw new ArgumentException($"The model has no output '{name}'. Outputs: {string.Join(", ", OutputNames)}.", nameof(outputNames));
            }
        }

        return outputs;
    }

    private int OutputIndex(string name) => _outputIndex[name];

    /// <summary>
    /// Runs the session on ready inputs and reads the results with <paramref name="read"/> while the session
    /// is still held (outputs live in its allocator), mapping ONNX Runtime's errors; cancellation sets
    /// <c>RunOptions.Terminate</c>. With <paramref name="into"/>, ONNX Runtime writes the outputs into those values.
    /// </summary>
    private T RunOrt<T>(string[] names, Ort.OrtValue[] values, IReadOnlyList<string> outputs, Ort.OrtValue[]? into, Func<IReadOnlyList<Ort.OrtValue>, IReadOnlyList<string>, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_lease.TryEnter())
        {
            throw new ObjectDisposedException(nameof(InferenceSession));
        }

        Ort.RunOptions? runOptions = null;
        CancellationTokenRegistration registration = default;
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                runOptions = new Ort.RunOptions();
                registration = cancellationToken.Register(static o => ((Ort.RunOptions)o!).Terminate = true, runOptions);
            }

            if (into is not null)
            {
                _session.Run(runOptions ?? _uncancellable, names, values, outputs, into);
                return read(into, outputs);
            }

            using var results = _session.Run(runOptions ?? _uncancellable, names, values, outputs);
            return read(results, outputs);
        }
        catch (Ort.OnnxRuntimeException exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The run was terminated: its caller cancelled.", OrtErrors.Map(exception), cancellationToken);
        }
        catch (Ort.OnnxRuntimeException exception)
        {
            throw OrtErrors.Map(exception);
        }
        catch (KeyNotFoundException exception) when (OrtErrors.IsFromOrt(exception))
        {
            throw OrtErrors.Unnamed(exception);
        }
        finally
        {
            // The registration goes before its RunOptions (setting Terminate on a disposed one crashes the process).
            registration.Dispose();
            runOptions?.Dispose();
            _lease.Exit();
        }
    }

    /// <summary>Checks inputs against the metadata; throws <see cref="OnnxInputException"/> naming the input.</summary>
    /// <remarks>One lookup per model input: this runs for every item of every batch.</remarks>
    internal void Validate(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        if (inputs.Count > InputMetadata.Count)
        {
            ThrowUnknownInput(inputs.Keys);
        }

        for (var k = 0; k < InputMetadata.Count; k++)
        {
            var expected = InputMetadata[k];
            if (!inputs.TryGetValue(expected.Name, out var tensor))
            {
                // A misspelt name is the likelier mistake: name it rather than the input it stands for.
                ThrowUnknownInput(inputs.Keys);
                throw new OnnxInputException(expected.Name, $"Input '{expected.Name}' ({expected}) is missing.");
            }

            ArgumentNullException.ThrowIfNull(tensor, expected.Name);
            Check(expected, tensor);
        }

        CheckSharedDimensions(inputs);
    }

    /// <summary>
    /// Inputs whose metadata names a dynamic dimension alike (ONNX's dim_param: one name, one size) must agree on it:
    /// else ONNX Runtime fails deep in a kernel ("BroadcastIterator ...", a 500 to the caller) instead of naming them.
    /// No allocation: a scan of earlier inputs' named dimensions.
    /// </summary>
    private void CheckSharedDimensions(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        for (var k = 1; k < InputMetadata.Count; k++)
        {
            var node = InputMetadata[k];
            for (var d = 0; d < node.SymbolicDimensions.Count && d < node.Rank; d++)
            {
                var symbol = node.SymbolicDimensions[d];
                if (node.Dimensions[d] >= 0 || string.IsNullOrEmpty(symbol))
                {
                    continue;
                }

                var size = inputs[node.Name].Shape[d];
                for (var j = 0; j < k; j++)
                {
                    var other = InputMetadata[j];
                    for (var e = 0; e < other.SymbolicDimensions.Count && e < other.Rank; e++)
                    {
                        if (other.Dimensions[e] < 0 && other.SymbolicDimensions[e] == symbol && inputs[other.Name].Shape[e] != size)
                        {
                            throw new OnnxInputException(node.Name, $"Inputs '{other.Name}' and '{node.Name}' must agree on dimension '{symbol}' (the model names both so), but '{other.Name}' has {inputs[other.Name].Shape[e]} and '{node.Name}' has {size}.");
                        }
                    }
                }
            }
        }
    }

    private static void Check(NodeMetadata expected, OnnxTensor tensor)
    {
        var name = expected.Name;
        if (!expected.IsTensor)
        {
            throw new OnnxInputException(name, $"Input '{name}' ({expected}) is not a tensor input: run the model with OnnxValue inputs to pass sequences and optionals.");
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
    private void ThrowUnknownInput(IEnumerable<string> inputs)
    {
        foreach (var name in inputs)
        {
            if (!_inputIndex.Contains(name))
            {
                throw new OnnxInputException(name, $"The model has no input '{name}'. Inputs: {string.Join(", ", InputMetadata)}.");
            }
        }
    }
}
