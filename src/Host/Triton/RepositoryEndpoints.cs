using System.Text.Json;
using ModelActors.Host.Triton.Config;

namespace ModelActors.Host.Triton;

/// <summary>
/// Triton's model repository extension over HTTP: <c>POST /v2/repository/index</c> (body <c>{"ready": true}</c> for the
/// ready ones only), <c>POST /v2/repository/models/{m}/load</c> (optional <c>{"parameters": {"config": "&lt;JSON
/// ModelConfig&gt;"}}</c>) and <c>POST /v2/repository/models/{m}/unload</c> (optional
/// <c>{"parameters": {"unload_dependents": true}}</c>). A refused or failed load or unload is a 400 naming why.
/// </summary>
internal static class RepositoryEndpoints
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapModelRepository(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v2/repository/index", async (HttpContext context, ModelRepositoryService repository) =>
        {
            var body = await ReadAsync(context).ConfigureAwait(false);
            if (body.Error is { } error)
            {
                return HttpErrors.Error(StatusCodes.Status400BadRequest, error);
            }

            var ready = body.Root is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("ready", out var r) && r.ValueKind == JsonValueKind.True;
            try
            {
                return Results.Json(repository.Index(ready).Select(e => new { name = e.Name, version = e.Version, state = e.State, reason = e.Reason }));
            }
            catch (RepositoryGoneException exception)
            {
                return HttpErrors.Error(StatusCodes.Status503ServiceUnavailable, exception.Message);
            }
        });
        app.MapPost("/v2/repository/models/{model}/load", async (string model, HttpContext context, ModelRepositoryService repository) =>
        {
            var body = await ReadAsync(context).ConfigureAwait(false);
            ModelConfig? config = null;
            try
            {
                config = body.Error is null ? LoadConfig(model, Parameters(body.Root, "load", model)) : null;
            }
            catch (FormatException exception)
            {
                return HttpErrors.Error(StatusCodes.Status400BadRequest, exception.Message);
            }

            return body.Error is { } error ? HttpErrors.Error(StatusCodes.Status400BadRequest, error)
                : Answer(await repository.LoadAsync(model, config, context.RequestAborted).ConfigureAwait(false));
        });
        app.MapPost("/v2/repository/models/{model}/unload", async (string model, HttpContext context, ModelRepositoryService repository) =>
        {
            var body = await ReadAsync(context).ConfigureAwait(false);
            if (body.Error is { } error)
            {
                return HttpErrors.Error(StatusCodes.Status400BadRequest, error);
            }

            bool dependents;
            try
            {
                dependents = Parameters(body.Root, "unload", model) is { } p && p.TryGetProperty("unload_dependents", out var d) && (d.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? d.ValueKind == JsonValueKind.True
                    : throw new FormatException($"failed to unload '{model}': 'unload_dependents' must be true or false, not {d.GetRawText()}."));
            }
            catch (FormatException exception)
            {
                return HttpErrors.Error(StatusCodes.Status400BadRequest, exception.Message);
            }

            return Answer(await repository.UnloadAsync(model, dependents, context.RequestAborted).ConfigureAwait(false));
        });
        return app;
    }

    /// <summary>The <c>config</c> parameter of a load (Triton's JSON form of ModelConfig), read with Google.Protobuf's JSON parser; null without one.</summary>
    /// <exception cref="FormatException">It is not a ModelConfig, or the request carries model files (<c>file:</c> parameters), which this server does not take.</exception>
    public static ModelConfig? LoadConfig(string model, JsonElement? parameters)
    {
        if (parameters is not { } p)
        {
            return null;
        }

        if (p.EnumerateObject().Select(o => o.Name).FirstOrDefault(n => n.StartsWith("file:", StringComparison.Ordinal)) is { } file)
        {
            throw new FormatException($"failed to load '{model}': '{file}': model files in the load request are not taken; put them in the repository.");
        }

        return !p.TryGetProperty("config", out var config) ? null : config.ValueKind switch
        {
            JsonValueKind.String => ParseConfig(model, config.GetString()!), // Triton's form: the JSON text as a string
            JsonValueKind.Object => ParseConfig(model, config.GetRawText()),
            _ => throw new FormatException($"failed to load '{model}': its 'config' parameter must be a model configuration as JSON text (or an object), not {config.GetRawText()}."),
        };
    }

    /// <summary>Triton's JSON ModelConfig (proto3 JSON: snake_case or lowerCamel names) read with Google.Protobuf.</summary>
    /// <exception cref="FormatException">It is not a ModelConfig; the message names the model and the parser's error.</exception>
    public static ModelConfig ParseConfig(string model, string json)
    {
        try
        {
            return Google.Protobuf.JsonParser.Default.Parse<ModelConfig>(json);
        }
        catch (Exception exception) when (exception is Google.Protobuf.InvalidJsonException or Google.Protobuf.InvalidProtocolBufferException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"failed to load '{model}': its 'config' parameter is not a model configuration: {exception.Message}", exception);
        }
    }

    private static IResult Answer(string? error) =>
        error is null ? Results.Json(new { }) : HttpErrors.Error(StatusCodes.Status400BadRequest, error);

    /// <summary>The body's <c>parameters</c> object; null without one.</summary>
    /// <exception cref="FormatException">The body is not an object, or its <c>parameters</c> is not one.</exception>
    private static JsonElement? Parameters(JsonElement? root, string operation, string model)
    {
        if (root is not { } r || r.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (r.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"failed to {operation} '{model}': the body must be a JSON object, not {r.ValueKind.ToString().ToLowerInvariant()}.");
        }

        return !r.TryGetProperty("parameters", out var p) || p.ValueKind == JsonValueKind.Null ? null
            : p.ValueKind == JsonValueKind.Object ? p
            : throw new FormatException($"failed to {operation} '{model}': 'parameters' must be a JSON object, not {p.GetRawText()}.");
    }

    /// <summary>The request's JSON body (none is fine), or the error naming why it is not JSON.</summary>
    private static async Task<(JsonElement? Root, string? Error)> ReadAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return (null, null);
        }

        try
        {
            return (JsonDocument.Parse(buffer.ToArray()).RootElement.Clone(), null);
        }
        catch (JsonException exception)
        {
            return (null, $"The request body is not valid JSON: {exception.Message}");
        }
    }
}
