using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelActors.Models;

namespace ModelActors.Onnx;

/// <summary>
/// An ONNX model served by ONNX Runtime: each item is a set of named input tensors, each result the set of
/// output tensors. A batch call checks every item against the model's metadata first (an error names
/// the input and the item), concatenates the items along each input's batch axis (shared inputs are
/// passed once; configured inputs are padded to the longest item), runs once, and splits every output
/// back per item (each item's part is copied out when its caller is answered). Replicas share one session. Configure it by asset path or <see cref="OnnxModelSettings"/>.
/// </summary>
/// <example>
/// <code>
/// builder.AddOnnxModel("mlp", "models/mlp.onnx", s => s.IntraOpNumThreads = 1, o => { o.MaxBatchSize = 64; o.Replicas = 2; });
/// // or JSON: "mlp": { "Type": "OnnxModel", "AssetPath": "models/mlp.onnx", "MaxBatchSize": 64,
/// //                   "Settings": { "BatchAxes": { "state": 1 }, "SharedInputs": [ "sr" ] } }
/// </code>
/// </example>
public sealed class OnnxModel : Model<OnnxTensors, OnnxTensors>, IDisposable, IItemCheck<OnnxTensors>, ISignatureSource
{
    private string? _sessionKey;
    private InferenceSession? _session;
    private RunGate? _runGate;
    private BatchInputs? _batchInputs;
    private OnnxModelSettings _settings = new();
    private string _name = string.Empty;
    private TensorSignature? _signature;
    private OnnxReshapes? _reshapes;

    /// <summary>The session (after load).</summary>
    public InferenceSession Session => _session ?? throw new InvalidOperationException("The model is not loaded.");

    /// <summary>The model's inputs and outputs (after load).</summary>
    public TensorSignature Signature => _signature ?? throw new InvalidOperationException("The model is not loaded.");

    /// <inheritdoc />
    object ISignatureSource.Signature => Signature;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_sessionKey is { } key)
        {
            _sessionKey = null;
            _session = null;
            _runGate = null;
            SharedSessions.Release(key);
        }
    }

    /// <inheritdoc />
    protected override void Load(ModelContext context)
    {
        _name = context.Name;
        _settings = context.GetSettings<OnnxModelSettings>();
        var path = ResolvePath(_settings.Path ?? context.AssetPath
            ?? throw new ModelRegistrationException([$"Model '{context.Name}' (OnnxModel) has no model file: give it an AssetPath or a Path setting."]));
        if (context.Services.GetService<ILoggerFactory>() is { } loggers)
        {
            InferenceSession.UseLogger(loggers.CreateLogger("ModelActors.OnnxRuntime"));
        }

        var options = _settings.SessionOptions;
        var key = $"{context.Name}|{path}|{options}";
        if (_settings.ConcurrentRuns < 0)
        {
            throw new ModelRegistrationException([$"Model '{context.Name}' (OnnxModel): ConcurrentRuns must be 0 (no limit) or more, not {_settings.ConcurrentRuns}."]);
        }

        (_session, _runGate) = SharedSessions.Acquire(key, () => new InferenceSession(path, options), _settings.ConcurrentRuns);
        _sessionKey = key;
        CheckSettings(_session);
        _reshapes = OnnxReshapes.Of(_settings);
        _signature = (_reshapes?.CallerSignature(_session.InputMetadata, _session.OutputMetadata) ?? new TensorSignature(_session.InputMetadata, _session.OutputMetadata)) with
        {
            BatchedOnFirstAxis = _settings.SharedInputs.Count == 0 && _settings.BatchAxes.Values.All(a => a == 0) && _settings.OutputBatchAxes.Values.All(a => a == 0),
        };
        _batchInputs = new BatchInputs(context.Name, _session, _settings);
        OnnxWarmups.Run(context.Name, _session, _settings, _reshapes);
    }

    /// <inheritdoc />
    protected override IReadOnlyList<OnnxTensors> PredictBatch(IReadOnlyList<OnnxTensors> items, CancellationToken cancellationToken)
    {
        var session = Session;
        if (_reshapes is { } reshapes)
        {
            items = [.. items.Select(reshapes.ToModel)];
        }

        if (items.Count == 1)
        {
            // The run checks its one item itself, with the same message.
            var outputs1 = Run(session, items[0], cancellationToken);
            return [_reshapes?.FromModel(outputs1) ?? outputs1];
        }

        for (var i = 0; i < items.Count; i++)
        {
            Validate(session, items[i], i);
        }

        var (merged, sizes) = _batchInputs!.Merge(items);

        OnnxTensors outputs;
        try
        {
            outputs = Run(session, merged, cancellationToken);
            if (_reshapes is { } reshaped)
            {
                outputs = reshaped.FromModel(outputs); // along the batch axis, so each item's part is cut as declared
            }
        }
        finally
        {
            _batchInputs.Recycle(merged);
        }

        var total = sizes.Sum();
        var split = new (string Name, OnnxTensor Tensor, int Axis)[outputs.Count];
        var next = 0;
        foreach (var (name, tensor) in outputs)
        {
            var axis = _settings.OutputBatchAxes.GetValueOrDefault(name, 0);
            if (axis >= tensor.Shape.Count || tensor.Shape[axis] != total)
            {
                throw new InvalidOperationException(
                    $"Model '{_name}': output '{name}' has shape [{string.Join(", ", tensor.Shape)}], which cannot be split back into {items.Count} items along axis {axis} (expected {total} there). Set OutputBatchAxes for it.");
            }

            split[next++] = (name, tensor, axis);
        }

        // Each item's outputs are cut from the batch's when read, where its caller is answered.
        return new BatchOutputs(split, sizes);
    }

    /// <summary>Runs the session, through the run gate when <see cref="OnnxModelSettings.ConcurrentRuns"/> bounds concurrent runs.</summary>
    private OnnxTensors Run(InferenceSession session, IReadOnlyDictionary<string, OnnxTensor> inputs, CancellationToken cancellationToken) =>
        _runGate is { } gate
            ? gate.Run((session, inputs, cancellationToken), static s => s.session.Run(s.inputs, cancellationToken: s.cancellationToken), cancellationToken)
            : session.Run(inputs, cancellationToken: cancellationToken);

    private static string ResolvePath(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        var besideApp = Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(besideApp) ? besideApp : Path.GetFullPath(path);
    }

    /// <summary>Checks a single request against the metadata on the caller's side, before it is queued.</summary>
    Exception? IItemCheck<OnnxTensors>.CheckItem(OnnxTensors item)
    {
        if (item is null || _session is not { } session)
        {
            return null; // the replica reports it
        }

        try
        {
            CheckRows(item);
            session.Validate(_reshapes?.ToModel(item) ?? item);
            return null;
        }
        catch (OnnxInputException exception)
        {
            return exception;
        }
    }

    /// <summary>Refuses an item with more rows than <see cref="OnnxModelSettings.MaxItemRows"/> along a batched input's batch axis.</summary>
    private void CheckRows(OnnxTensors item)
    {
        if (_settings.MaxItemRows <= 0)
        {
            return;
        }

        foreach (var (name, tensor) in item)
        {
            var axis = _settings.BatchAxes.GetValueOrDefault(name, 0);
            if (!_settings.SharedInputs.Contains(name) && tensor is not null && axis < tensor.Shape.Count && tensor.Shape[axis] > _settings.MaxItemRows)
            {
                throw new OnnxInputException(name, $"Model '{_name}': input '{name}' has {tensor.Shape[axis]} rows along its batch axis, and the model takes at most {_settings.MaxItemRows} per request (MaxItemRows; Triton's max_batch_size).");
            }
        }
    }

    /// <summary>Checks one item of a batch; the error names the item too.</summary>
    private void Validate(InferenceSession session, OnnxTensors item, int index)
    {
        try
        {
            CheckRows(item);
            session.Validate(item);
        }
        catch (OnnxInputException exception)
        {
            throw new OnnxInputException(exception.InputName, $"Item {index}: {exception.Message}");
        }
    }

    private void CheckSettings(InferenceSession session)
    {
        var errors = new List<string>();
        foreach (var (kind, node) in session.InputMetadata.Select(m => ("input", m)).Concat(session.OutputMetadata.Select(m => ("output", m))))
        {
            if (!node.IsTensor)
            {
                errors.Add($"Model '{_name}' (OnnxModel): {kind} '{node.Name}' is {node.ToString()[(node.Name.Length + 2)..]}; OnnxModel takes and returns tensors only. Run such a model with InferenceSession.Run and OnnxValue inputs (for example inside a model class of your own).");
            }
        }

        foreach (var (input, axis) in _settings.BatchAxes)
        {
            var metadata = session.InputMetadata.FirstOrDefault(m => m.Name == input);
            if (metadata is null || axis < 0 || axis >= metadata.Rank)
            {
                errors.Add($"Model '{_name}': BatchAxes names input '{input}' with axis {axis}, but the model's inputs are {string.Join(", ", session.InputMetadata)}.");
            }
        }

        foreach (var input in _settings.SharedInputs.Concat(_settings.PadInputs.Keys).Where(i => !session.InputNames.Contains(i)))
        {
            errors.Add($"Model '{_name}': settings name input '{input}', which the model does not have. Inputs: {string.Join(", ", session.InputNames)}.");
        }

        errors.AddRange(OnnxDeclarations.Mismatches(_name, session, _settings));
        if (errors.Count > 0)
        {
            throw new ModelRegistrationException(errors);
        }
    }

}
