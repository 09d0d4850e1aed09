using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using ModelActors.Onnx;

namespace ModelActors.Host;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>, Microsoft.AspNetCore.OpenApi) describes the routes, and for each C#
/// model its own <c>/models/{m}/predict</c> and <c>/predict-batch</c> operations with the JSON shapes of its item
/// and result types (the generic routes cannot know them: the model is chosen by name at run time).
/// </summary>
internal static class OpenApiModels
{
    /// <summary>Adds the document and the per-model operations.</summary>
    public static IServiceCollection AddModelActorsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer(AddModelOperationsAsync));

    private static async Task AddModelOperationsAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var library = context.ApplicationServices.GetRequiredService<ModelLibrary>();
        document.Paths ??= [];
        foreach (var model in library.Describe().Where(d => d.ItemType != typeof(OnnxTensors)))
        {
            var item = await context.GetOrCreateSchemaAsync(model.ItemType, null, cancellationToken).ConfigureAwait(false);
            var result = await context.GetOrCreateSchemaAsync(model.ResultType, null, cancellationToken).ConfigureAwait(false);
            var items = await context.GetOrCreateSchemaAsync(typeof(List<>).MakeGenericType(model.ItemType), null, cancellationToken).ConfigureAwait(false);
            var results = await context.GetOrCreateSchemaAsync(typeof(List<>).MakeGenericType(model.ResultType), null, cancellationToken).ConfigureAwait(false);
            document.Paths[$"/models/{model.Name}/predict"] = Post($"{model.Name}.predict", $"Model '{model.Name}': one {model.ItemType.Name} item in, its {model.ResultType.Name} result out.", item, result);
            document.Paths[$"/models/{model.Name}/predict-batch"] = Post($"{model.Name}.predict-batch", $"Model '{model.Name}': an array of {model.ItemType.Name} items in, their results out in order.", items, results);
        }
    }

    private static OpenApiPathItem Post(string operationId, string summary, IOpenApiSchema request, IOpenApiSchema response) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Post] = new()
            {
                OperationId = operationId,
                Summary = summary,
                Tags = new HashSet<OpenApiTagReference> { new("models") },
                RequestBody = new OpenApiRequestBody { Required = true, Content = Json(request) },
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse { Description = "The result.", Content = Json(response) },
                    ["400"] = new OpenApiResponse { Description = "The body is not the model's item type: {\"error\": \"...\"}." },
                    ["404"] = new OpenApiResponse { Description = "No such model." },
                    ["413"] = new OpenApiResponse { Description = "The body is over Server:MaxRequestBodySize." },
                    ["429"] = new OpenApiResponse { Description = "The model's queue is full; retry after Retry-After seconds." },
                    ["500"] = new OpenApiResponse { Description = "The model failed; the message is the model's." },
                    ["503"] = new OpenApiResponse { Description = "The model is not loaded or the server is stopping." },
                    ["504"] = new OpenApiResponse { Description = "The model did not answer within its deadline." },
                },
            },
        },
    };

    private static Dictionary<string, OpenApiMediaType> Json(IOpenApiSchema schema) => new() { ["application/json"] = new OpenApiMediaType { Schema = schema } };
}
