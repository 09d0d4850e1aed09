namespace ModelActors.Host.V2;

/// <summary>The Open Inference Protocol extensions this server implements, as <c>GET /v2</c> and gRPC <c>ServerMetadata</c> list them (Triton's names, which its clients look for).</summary>
internal static class ProtocolExtensions
{
    /// <summary>
    /// <c>binary_tensor_data</c>: inputs and outputs as raw bytes after the JSON header (<c>Inference-Header-Content-Length</c>,
    /// <c>binary_data_size</c>, <c>binary_data</c>, <c>binary_data_output</c>); <c>parameters</c>: request and tensor
    /// parameters are accepted, the binary ones honoured and the request's echoed in the answer; <c>statistics</c>:
    /// Triton's per-model statistics (<c>/v2/models[/{m}[/versions/{v}]]/stats</c>, gRPC <c>ModelStatistics</c>);
    /// <c>model_repository</c> and <c>model_repository(unload_dependents)</c>: Triton's repository index, load and unload;
    /// <c>model_configuration</c>: a model's configuration (<c>/v2/models/{m}/config</c>, gRPC <c>ModelConfig</c>).
    /// </summary>
    public static readonly string[] Names = ["binary_tensor_data", "parameters", "statistics", "model_repository", "model_repository(unload_dependents)", "model_configuration"];
}
