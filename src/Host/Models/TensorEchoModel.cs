using ModelActors.Onnx;

namespace ModelActors.Host.Models;

/// <summary>A no-op tensor model: its outputs are its inputs. For checking a v2 client and measuring the server's own cost.</summary>
public sealed class TensorEchoModel : AsyncModel<OnnxTensors, OnnxTensors>
{
    /// <inheritdoc />
    protected override ValueTask<OnnxTensors> PredictAsync(OnnxTensors item, CancellationToken cancellationToken) => ValueTask.FromResult(item);
}
