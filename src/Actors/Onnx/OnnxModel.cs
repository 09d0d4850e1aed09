using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelActors.Onnx;

/// <summary>
/// An ONNX model served by ONNX Runtime: each item is a set of named input tensors, each result the set of
/// output tensors. A batch call checks every item against the model's metadata first (an error names
/// the input and the item), concatenates the items along each input's batch axis (shared inputs are
/// passed once; configured inputs are padded to the longest item), runs once, and splits every output
/// back per item. Replicas share one session. Configure it by asset path or <see cref="OnnxModelSettings"/>.
/// </summary>
/// <example>
/// <code>
/// builder.AddOnnxModel("mlp", "models/mlp.onnx", s => s.IntraOpNumThreads = 1, o => { o.MaxBatchSize = 64; o.Replicas = 2; });
/// // or JSON: "mlp": { "Type": "OnnxModel", "AssetPath": "models/mlp.onnx", "MaxBatchSize": 64,
/// //                   "Settings": { "BatchAxes": { "state": 1 }, "SharedInputs": [ "sr" ] } }
/// </code>
/// </example>
public sealed class OnnxModel : Model<OnnxTensors, OnnxTensors>, IDisposable
{
    private string? _sessionKey;
    private InferenceSession? _session;
    private OnnxModelSettings _settings = new();
    private string _name = string.Empty;

    /// <summary>The session (after load).</summary>
    public InferenceSession Session => _session ?? throw new InvalidOperationException("The model is not loaded.");

    /// <inheritdoc />
    public void Dispose()
    {
        if (_sessionKey is { } key)
        {
            _sessionKey = null;
            _session = null;
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
        _session = SharedSessions.Acquire(key, () => new InferenceSession(path, options));
        _sessionKey = key;
        CheckSettings(_session);
    }

    /// <inheritdoc />
    protected override IReadOnlyList<OnnxTensors> PredictBatch(IReadOnlyList<OnnxTensors> items, CancellationToken cancellationToken)
    {
        var session = Session;
        for (var i = 0; i < items.Count; i++)
        {
            Validate(session, items[i], items.Count > 1 ? i : -1);
        }

        if (items.Count == 1)
        {
            return [new OnnxTensors(session.Run(items[0], cancellationToken: cancellationToken))];
        }

        var sizes = BatchSizes(session, items);
        var merged = new OnnxTensors();
        foreach (var input in session.InputNames)
        {
            merged[input] = _settings.SharedInputs.Contains(input) ? Shared(input, items) : Concatenate(input, items);
        }

        var outputs = session.Run(merged, cancellationToken: cancellationToken);
        var results = items.Select(_ => new OnnxTensors()).ToArray();
        var total = sizes.Sum();
        foreach (var (name, tensor) in outputs)
        {
            var axis = _settings.OutputBatchAxes.GetValueOrDefault(name, 0);
            if (axis >= tensor.Shape.Count || tensor.Shape[axis] != total)
            {
                throw new InvalidOperationException(
                    $"Model '{_name}': output '{name}' has shape [{string.Join(", ", tensor.Shape)}], which cannot be split back into {items.Count} items along axis {axis} (expected {total} there). Set OutputBatchAxes for it.");
            }

            var parts = TensorBatching.Split(tensor, axis, sizes);
            for (var i = 0; i < parts.Length; i++)
            {
                results[i][name] = parts[i];
            }
        }

        return results;
    }

    private static string ResolvePath(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        var besideApp = Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(besideApp) ? besideApp : Path.GetFullPath(path);
    }

    /// <summary>Checks one item; in a batch (<paramref name="index"/> ≥ 0) the error names the item too.</summary>
    private static void Validate(InferenceSession session, OnnxTensors item, int index)
    {
        try
        {
            session.Validate(item);
        }
        catch (OnnxInputException exception) when (index >= 0)
        {
            throw new OnnxInputException(exception.InputName, $"Item {index}: {exception.Message}");
        }
    }

    private void CheckSettings(InferenceSession session)
    {
        var errors = new List<string>();
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

        if (errors.Count > 0)
        {
            throw new ModelRegistrationException(errors);
        }
    }

    private long[] BatchSizes(InferenceSession session, IReadOnlyList<OnnxTensors> items)
    {
        var batched = session.InputNames.Where(n => !_settings.SharedInputs.Contains(n)).ToList();
        if (batched.Count == 0)
        {
            throw new InvalidOperationException($"Model '{_name}': every input is shared, so items cannot be batched; set MaxBatchSize to 1.");
        }

        var sizes = new long[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var first = batched[0];
            sizes[i] = items[i][first].Shape[Axis(first)];
            foreach (var input in batched.Skip(1))
            {
                var size = items[i][input].Shape[Axis(input)];
                if (size != sizes[i])
                {
                    throw new OnnxInputException(input, $"Item {i}: input '{input}' has {size} along its batch axis {Axis(input)}, but input '{first}' has {sizes[i]}.");
                }
            }
        }

        return sizes;
    }

    private OnnxTensor Shared(string input, IReadOnlyList<OnnxTensors> items)
    {
        var first = items[0][input];
        for (var i = 1; i < items.Count; i++)
        {
            var other = items[i][input];
            if (!other.Shape.SequenceEqual(first.Shape) || !other.Data.Cast<object>().SequenceEqual(first.Data.Cast<object>()))
            {
                throw new OnnxInputException(input, $"Item {i}: shared input '{input}' differs from item 0's; items batched together must share its value.");
            }
        }

        return first;
    }

    private OnnxTensor Concatenate(string input, IReadOnlyList<OnnxTensors> items)
    {
        var axis = Axis(input);
        var parts = items.Select(item => item[input]).ToList();
        if (_settings.PadInputs.TryGetValue(input, out var padValue))
        {
            var target = parts[0].Shape.ToArray();
            for (var d = 0; d < target.Length; d++)
            {
                target[d] = parts.Max(p => p.Shape[d]);
            }

            parts = [.. parts.Select(p =>
            {
                var shape = target.ToArray();
                shape[axis] = p.Shape[axis];
                return TensorBatching.Pad(p, shape, padValue);
            })];
        }
        else
        {
            for (var i = 0; i < parts.Count; i++)
            {
                for (var d = 0; d < parts[0].Shape.Count; d++)
                {
                    if (d != axis && parts[i].Shape[d] != parts[0].Shape[d])
                    {
                        throw new OnnxInputException(input, $"Item {i}: input '{input}' has shape [{string.Join(", ", parts[i].Shape)}] but item 0 has [{string.Join(", ", parts[0].Shape)}]; only batch axis {axis} may differ (set PadInputs to pad it).");
                    }
                }
            }
        }

        return TensorBatching.Concat(parts, axis);
    }

    private int Axis(string input) => _settings.BatchAxes.GetValueOrDefault(input, 0);
}
