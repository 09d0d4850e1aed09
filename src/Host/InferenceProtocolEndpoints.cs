using ModelActors.Host.V2;
using ModelActors.Onnx;

using ModelActors.Host.Server;

namespace ModelActors.Host;

/// <summary>The KServe v2 / Open Inference Protocol routes: server and model metadata, health, readiness and inference with JSON tensors.</summary>
public static class InferenceProtocolEndpoints
{
    /// <summary>
    /// Maps <c>/v2</c>, <c>/v2/health/live</c>, <c>/v2/health/ready</c>, and for each model (optionally under
    /// <c>/versions/{v}</c>) <c>/v2/models/{m}</c>, <c>/v2/models/{m}/ready</c> and <c>POST /v2/models/{m}/infer</c>.
    /// </summary>
    /// <param name="app">The application's route builder.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapInferenceProtocol(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var v2 = app.MapGroup("/v2");
        v2.MapGet("/", (ModelLibrary library, ModelVersions versions) => Results.Json(new
        {
            name = "modelactors",
            version = typeof(ModelLibrary).Assembly.GetName().Version?.ToString(),
            extensions = ProtocolExtensions.Names,
            models = versions.PublicNames(library.ModelNames),
        }));
        v2.MapGet("/health/live", () => Results.Json(new { live = true }));
        v2.MapGet("/health/ready", (ServerReadiness readiness, ModelLibrary library) =>
        {
            var ready = readiness.IsReady;
            var status = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;

            // On a cluster: where each model's replicas run (the nodes up and reachable that host it).
            return library.Options.Placement is null
                ? Results.Json(new { ready }, statusCode: status)
                : Results.Json(new { ready, replicas_by_node = library.Describe().ToDictionary(d => d.Name, d => d.ReplicasByNode) }, statusCode: status);
        });

        v2.MapGet("/models/stats", (ModelLibrary library, ModelVersions versions, Statistics.ModelStatistics statistics) =>
            Results.Json(Statistics.StatisticsReport.Json(Statistics.StatisticsReport.For(library, versions, statistics, null, null).Report!)));
        foreach (var prefix in new[] { "/models/{model}", "/models/{model}/versions/{version}" })
        {
            v2.MapGet(prefix + "/config", (string model, string? version, ModelLibrary library, ModelVersions versions) =>
                ModelLookup.Find(library, versions, model, version, out var d)
                    ?? Results.Text(Triton.ModelConfigReport.Json(Triton.ModelConfigReport.For(library, versions, model, d)), "application/json"));
            v2.MapGet(prefix + "/stats", (string model, string? version, ModelLibrary library, ModelVersions versions, Statistics.ModelStatistics statistics) =>
            {
                var (report, notFound) = Statistics.StatisticsReport.For(library, versions, statistics, model, version);
                return report is null ? HttpErrors.Error(StatusCodes.Status404NotFound, notFound!) : Results.Json(Statistics.StatisticsReport.Json(report));
            });
            v2.MapGet(prefix, (string model, string? version, ModelLibrary library, ModelVersions versions) =>
                ModelLookup.Find(library, versions, model, version, out var d) ?? MetadataAnswer(library, versions, d));
            v2.MapGet(prefix + "/ready", (string model, string? version, ModelLibrary library, ModelVersions versions, ServerReadiness readiness) =>
            {
                if (ModelLookup.Find(library, versions, model, version, out var d) is { } notFound)
                {
                    return notFound;
                }

                var ready = d.State == ModelState.Ready && !readiness.Stopping;
                return Results.Json(new { name = versions.ServedBy(d.Name)?.Model ?? d.Name, ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            });
            v2.MapPost(prefix + "/infer", InferEndpoint.ServeAsync);
        }

        return app;
    }

    /// <summary>The model's metadata: 200, or 503 (still with its state) when the model failed to load or its tensors are not known yet.</summary>
    private static IResult MetadataAnswer(ModelLibrary library, ModelVersions versions, ModelDescription d)
    {
        var signature = library.GetTensorSignature(d.Name);
        var unavailable = ModelLookup.SignatureUnknown(d, signature);
        return Results.Json(Metadata(versions, d, signature, unavailable), statusCode: unavailable is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static object Metadata(ModelVersions versions, ModelDescription d, TensorSignature? signature, string? unavailable)
    {
        var name = versions.ServedBy(d.Name)?.Model ?? d.Name;
        return new
        {
            name,
            platform = signature is null ? "modelactors" : "onnxruntime_onnx",
            versions = versions.All(name),
            inputs = signature?.Inputs.Select(Tensor).ToArray() ?? (d.ItemType == typeof(OnnxTensors) ? [] : null), // none declared: any tensors
            outputs = signature?.Outputs.Select(Tensor).ToArray() ?? (d.ItemType == typeof(OnnxTensors) ? [] : null),
            item_type = d.ItemType.Name,
            result_type = d.ResultType.Name,
            item_schema = signature is null ? JsonSchemaOf(d.ItemType, System.Text.Json.JsonSerializerOptions.Web) : null,
            result_schema = signature is null ? JsonSchemaOf(d.ResultType, ResultJson) : null,
            replicas = d.Replicas,
            replicas_by_node = d.ReplicasByNode,
            router = d.Router.ToString(),
            dependencies = d.Dependencies,
            state = d.State.ToString(),
            load_ms = d.LoadDuration?.TotalMilliseconds,
            error = unavailable ?? d.Error,
        };
    }

    /// <summary>How results are written: the web defaults, but numbers as numbers (items may also be read from strings).</summary>
    private static readonly System.Text.Json.JsonSerializerOptions ResultJson = new(System.Text.Json.JsonSerializerOptions.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    /// <summary>The JSON schema of a typed model's item or result, as the typed routes read and write it.</summary>
    private static System.Text.Json.Nodes.JsonNode JsonSchemaOf(Type type, System.Text.Json.JsonSerializerOptions options) =>
        System.Text.Json.Schema.JsonSchemaExporter.GetJsonSchemaAsNode(
            options, type, new System.Text.Json.Schema.JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true }); // the routes refuse null items

    private static object Tensor(NodeMetadata node) => new
    {
        name = node.Name,
        datatype = V2Datatypes.NameOf(node.ElementType),
        shape = node.Dimensions,
    };
}
