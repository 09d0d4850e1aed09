using ModelActors.Models;
using ModelActors.Onnx;

namespace ModelActors.Host.Triton;

/// <summary>
/// A Triton ensemble (<c>platform: "ensemble"</c>) run as a composed model: its steps are its dependencies (keys
/// <c>step0</c>, <c>step1</c>, …), each called through the library like any dependency of a model written in C#, so each
/// step is batched by its own model, and the request's deadline and cancellation reach every step. A request's tensors
/// flow by name: a step runs once every ensemble tensor its <c>input_map</c> names is there (steps whose inputs are ready
/// run at once, side by side), its outputs are added under the names its <c>output_map</c> gives, and the answer holds
/// the ensemble's outputs. A step's error fails the request, naming the step's model.
/// </summary>
public sealed class EnsembleModel : AsyncModel<OnnxTensors, OnnxTensors>, ISignatureSource
{
    private EnsembleSettings _settings = new();
    private IModelClient<OnnxTensors, OnnxTensors>[] _steps = [];
    private string _name = string.Empty;
    private TensorSignature? _signature;

    /// <inheritdoc />
    object ISignatureSource.Signature => _signature!;

    /// <inheritdoc />
    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _name = context.Name;
        _settings = context.GetSettings<EnsembleSettings>();
        _steps = [.. _settings.Steps.Select((_, i) => context.Dependency<OnnxTensors, OnnxTensors>($"step{i}"))];
        _signature = new TensorSignature(
            [.. _settings.Inputs.Select(Node)],
            [.. _settings.Outputs.Select(Node)]);

        // The data flow must close: every step's inputs come from the request or an earlier step, every output is made.
        var available = _settings.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var pending = Enumerable.Range(0, _settings.Steps.Count).ToList();
        while (pending.FirstOrDefault(i => _settings.Steps[i].Inputs.Values.All(available.Contains), -1) is var next and >= 0)
        {
            available.UnionWith(_settings.Steps[next].Outputs.Values);
            pending.Remove(next);
        }

        var errors = pending.Select(i => $"Ensemble '{_name}': step {i} ('{_settings.Steps[i].Model}') needs {string.Join(", ", _settings.Steps[i].Inputs.Values.Where(v => !available.Contains(v)).Select(v => $"'{v}'"))}, which neither the request nor another step makes.")
            .Concat(_settings.Outputs.Where(o => !available.Contains(o.Name)).Select(o => $"Ensemble '{_name}': output '{o.Name}' is made by no step."))
            .ToList();
        return errors.Count > 0 ? throw new ModelRegistrationException(errors) : ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask<OnnxTensors> PredictAsync(OnnxTensors item, CancellationToken cancellationToken)
    {
        var tensors = item.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var pending = Enumerable.Range(0, _settings.Steps.Count).ToList();
        while (pending.Count > 0)
        {
            var ready = pending.Where(i => _settings.Steps[i].Inputs.Values.All(tensors.ContainsKey)).ToList();
            if (ready.Count == 0)
            {
                throw new ArgumentException($"Ensemble '{_name}': the request lacks {string.Join(", ", pending.SelectMany(i => _settings.Steps[i].Inputs.Values).Where(v => !tensors.ContainsKey(v)).Distinct().Select(v => $"'{v}'"))}.");
            }

            var results = await Task.WhenAll(ready.Select(i => RunStepAsync(i, tensors, cancellationToken))).ConfigureAwait(true);
            foreach (var (step, outputs) in ready.Zip(results))
            {
                foreach (var (modelOutput, tensor) in _settings.Steps[step].Outputs)
                {
                    tensors[tensor] = outputs.TryGetValue(modelOutput, out var value)
                        ? value
                        : throw new InvalidOperationException($"Ensemble '{_name}': step {step} ('{_settings.Steps[step].Model}') returned no output '{modelOutput}'; it returned {string.Join(", ", outputs.Keys)}.");
                }

                pending.Remove(step);
            }
        }

        var answer = new OnnxTensors();
        foreach (var output in _settings.Outputs)
        {
            answer[output.Name] = tensors[output.Name];
        }

        return answer;
    }

    private Task<OnnxTensors> RunStepAsync(int step, Dictionary<string, OnnxTensor> tensors, CancellationToken cancellationToken)
    {
        var inputs = new OnnxTensors();
        foreach (var (modelInput, tensor) in _settings.Steps[step].Inputs)
        {
            inputs[modelInput] = tensors[tensor];
        }

        return _steps[step].PredictAsync(inputs, cancellationToken).AsTask();
    }

    private static NodeMetadata Node(TensorDeclaration d) =>
        new(d.Name, true, d.ElementType, [.. d.Dimensions], [.. d.Dimensions.Select(_ => string.Empty)]);
}

/// <summary>An <see cref="EnsembleModel"/>'s settings (made from an ensemble's config.pbtxt).</summary>
public sealed class EnsembleSettings
{
    /// <summary>The steps, each calling the dependency <c>step{i}</c>.</summary>
    public List<EnsembleStep> Steps { get; set; } = [];

    /// <summary>The ensemble's inputs (what a request gives).</summary>
    public List<TensorDeclaration> Inputs { get; set; } = [];

    /// <summary>The ensemble's outputs (what the answer holds).</summary>
    public List<TensorDeclaration> Outputs { get; set; } = [];
}

/// <summary>One step of an ensemble.</summary>
public sealed class EnsembleStep
{
    /// <summary>The step's model, as the configuration names it (for errors).</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>The step model's inputs, each from the ensemble tensor named (Triton's <c>input_map</c>).</summary>
    public Dictionary<string, string> Inputs { get; set; } = [];

    /// <summary>The step model's outputs, each kept as the ensemble tensor named (Triton's <c>output_map</c>).</summary>
    public Dictionary<string, string> Outputs { get; set; } = [];
}
