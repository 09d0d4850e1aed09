using System.Reflection;
using System.Text.Json;
using ModelActors;

namespace MyService;

/// <summary>
/// <c>POST /models/{m}/predict</c> for every model of the library, whatever its item and result types: the body is one
/// item as JSON, the answer its result as JSON; errors are JSON <c>{"error": ...}</c> naming the model.
/// </summary>
public static class ModelRoutes
{
    private static readonly MethodInfo Predict = typeof(ModelRoutes).GetMethod(nameof(PredictAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Maps the route.</summary>
    public static void MapModelRoutes(this WebApplication app) =>
        app.MapPost("/models/{m}/predict", async (string m, JsonElement item, ModelLibrary library, HttpContext context) =>
        {
            try
            {
                var model = library.Describe(m);

                // The model's own types, known only at run time: its typed client is called through one generic method.
                var call = (Task<object?>)Predict.MakeGenericMethod(model.ItemType, model.ResultType).Invoke(null, [library, m, item, context.RequestAborted])!;
                return Results.Ok(await call);
            }
            catch (ModelNotFoundException error)
            {
                return Error(StatusCodes.Status404NotFound, error.Message);
            }
            catch (Exception error) when (error is JsonException or ArgumentException)
            {
                return Error(StatusCodes.Status400BadRequest, $"Model '{m}': {error.Message}");
            }
            catch (ModelOverloadedException error)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(error.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Error(StatusCodes.Status429TooManyRequests, error.Message);
            }
            catch (TimeoutException error)
            {
                return Error(StatusCodes.Status504GatewayTimeout, error.Message);
            }
            catch (Exception error) when (error is ModelStoppedException or ModelLoadException)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, error.Message);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return Results.StatusCode(499); // the client is gone
            }
            catch (Exception error)
            {
                return Error(StatusCodes.Status500InternalServerError, $"Model '{m}' failed: {error.Message}");
            }
        });

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<object?> PredictAsync<TItem, TResult>(ModelLibrary library, string name, JsonElement item, CancellationToken cancellationToken)
    {
        var value = item.Deserialize<TItem>(JsonSerializerOptions.Web)
            ?? throw new JsonException($"takes {typeof(TItem).Name} items, not null.");
        return await library.Get<TItem, TResult>(name).PredictAsync(value, cancellationToken);
    }
}
