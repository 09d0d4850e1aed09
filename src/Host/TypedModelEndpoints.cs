using System.Text.Json;
using Microsoft.Extensions.Options;

using ModelActors.Host.Server;

namespace ModelActors.Host;

/// <summary>
/// Typed JSON routes for C# models: <c>POST /models/{m}/predict</c> takes one item as JSON and answers its
/// result; <c>POST /models/{m}/predict-batch</c> takes a JSON array and answers the results in order. The
/// model call is cancelled when the client disconnects.
/// </summary>
public static class TypedModelEndpoints
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>Maps the typed routes.</summary>
    /// <param name="app">The application's route builder.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapTypedModels(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/models/{model}/predict", (string model, HttpContext context, ModelLibrary library, IOptions<ServerOptions> options) => ServeAsync(model, context, library, options.Value, batch: false));
        app.MapPost("/models/{model}/predict-batch", (string model, HttpContext context, ModelLibrary library, IOptions<ServerOptions> options) => ServeAsync(model, context, library, options.Value, batch: true));
        return app;
    }

    private static async Task<IResult> ServeAsync(string model, HttpContext context, ModelLibrary library, ServerOptions options, bool batch)
    {
        if (ModelLookup.FindTyped(library, model, out var description) is { } refused)
        {
            return refused;
        }

        var invoker = ModelInvoker.For(description.ItemType, description.ResultType);
        var bodyType = batch ? invoker.BatchType : description.ItemType;
        if (HttpErrors.Saturated(library, model, context) is { } saturated)
        {
            return saturated;
        }

        if (await RequestBodies.ReadAsync(context.Request, options.MaxRequestBodySize, context.RequestAborted).ConfigureAwait(false) is not { } bytes)
        {
            return RequestBodies.TooLarge(options.MaxRequestBodySize);
        }

        object? body;
        try
        {
            body = bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes.Span, bodyType, Json);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest, $"Model '{model}' takes {Describe(bodyType)}; the body is not one: {exception.Message}");
        }

        if (body is null)
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest, $"Model '{model}' takes {Describe(bodyType)}; the body is empty or null.");
        }

        if (batch && Jobs.JobItems.NullItem(body as System.Collections.IList, description.ItemType) is { } at)
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest, $"Model '{model}' takes {Describe(bodyType)}; item {at} is null.");
        }

        try
        {
            return batch
                ? Results.Json(await invoker.PredictBatchAsync(library, model, body, context.RequestAborted).ConfigureAwait(false), options: Json)
                : Results.Json(await invoker.PredictAsync(library, model, body, context.RequestAborted).ConfigureAwait(false), options: Json);
        }
        catch (Exception exception)
        {
            return HttpErrors.For(exception, model, context);
        }
    }

    private static string Describe(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? $"a JSON array of {type.GetGenericArguments()[0].Name} items" : $"a {type.Name} item as JSON";
}
