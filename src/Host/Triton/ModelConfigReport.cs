using Google.Protobuf;
using ModelActors.Host.Server;
using ModelActors.Host.Triton.Config;
using ModelActors.Onnx;

namespace ModelActors.Host.Triton;

/// <summary>
/// Triton's model configuration extension (<c>GET /v2/models/{m}[/versions/{v}]/config</c>, what tritonclient's
/// <c>get_model_config</c> and perf_analyzer read): the model's <c>config.pbtxt</c> as served, completed as Triton's
/// auto-complete does from what the server knows (inputs and outputs from the ONNX file, <c>max_batch_size</c>,
/// instances and batching from the model's options), or made wholly from that for a model without one. Written with
/// Google.Protobuf's JSON formatter (proto field names, defaults included, 64-bit integers as strings, as Triton's).
/// </summary>
internal static class ModelConfigReport
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    /// <summary>The configuration of <paramref name="description"/> (a served version of <paramref name="model"/>).</summary>
    public static ModelConfig For(ModelLibrary library, ModelVersions versions, string model, ModelDescription description)
    {
        var config = versions.ConfigOf(model) ?? new ModelConfig();
        var signature = library.GetTensorSignature(description.Name);
        var ensemble = description.ModelType == typeof(EnsembleModel);
        config.Name = model;
        if (config.Platform.Length == 0 && config.Backend.Length == 0)
        {
            (config.Platform, config.Backend) = ensemble ? ("ensemble", string.Empty)
                : description.ModelType == typeof(OnnxModel) ? ("onnxruntime_onnx", "onnxruntime")
                : ("modelactors", string.Empty);
        }

        // Triton's max_batch_size says every input and output has the batch axis first; a model batched along another
        // axis (a recurrent state's) or with an input passed once per batch cannot say so: it is described with no
        // batch axis (max_batch_size 0) and its full dims, as the ONNX file has them.
        if (config.MaxBatchSize == 0 && description.MaxBatchSize > 0 && signature?.BatchedOnFirstAxis != false)
        {
            config.MaxBatchSize = description.MaxBatchSize;
        }

        var batchAxis = config.MaxBatchSize > 0 ? 1 : 0;
        if (config.Input.Count == 0 && signature is not null)
        {
            config.Input.AddRange(signature.Inputs.Select(n => new ModelInput { Name = n.Name, DataType = TritonDataTypes.TritonType(n.ElementType), Dims = { n.Dimensions.Skip(batchAxis) } }));
        }

        if (config.Output.Count == 0 && signature is not null)
        {
            config.Output.AddRange(signature.Outputs.Select(n => new ModelOutput { Name = n.Name, DataType = TritonDataTypes.TritonType(n.ElementType), Dims = { n.Dimensions.Skip(batchAxis) } }));
        }

        if (config.InstanceGroup.Count == 0 && !ensemble)
        {
            config.InstanceGroup.Add(new ModelInstanceGroup { Name = model, Count = description.Replicas, Kind = ModelInstanceGroup.Types.Kind.Cpu });
        }

        if (config.SchedulingChoiceCase == ModelConfig.SchedulingChoiceOneofCase.None && description.MaxBatchSize > 0)
        {
            config.DynamicBatching = new ModelDynamicBatching { MaxQueueDelayMicroseconds = (ulong)description.MaxDelay.TotalMicroseconds };
        }

        return config;
    }

    /// <summary>The configuration as Triton's HTTP route writes it.</summary>
    public static string Json(ModelConfig config) => Formatter.Format(config);
}
