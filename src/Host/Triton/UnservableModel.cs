using ModelActors.Onnx;

namespace ModelActors.Host.Triton;

/// <summary>
/// Stands for a repository model whose configuration cannot be served (a broken <c>config.pbtxt</c>, a platform this
/// server does not run): it fails to load with the configuration's error (setting <c>Error</c>), so that the model
/// answers 503 naming that error, the repository index shows it, and the other models serve.
/// </summary>
public sealed class UnservableModel : Model<OnnxTensors, OnnxTensors>
{
    /// <inheritdoc />
    protected override void Load(ModelContext context) =>
        throw new ModelRegistrationException([context.GetSetting("Error") ?? $"Model '{context.Name}' cannot be served."]);

    /// <inheritdoc />
    protected override IReadOnlyList<OnnxTensors> PredictBatch(IReadOnlyList<OnnxTensors> items, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("An unservable model never loads.");
}
