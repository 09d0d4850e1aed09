using System.Globalization;

namespace ModelActors.Host;

/// <summary>The one mapping from the library's errors to HTTP answers, each with a JSON body <c>{"error": "..."}</c> that names what was wrong.</summary>
internal static class HttpErrors
{
    /// <summary>The answer for <paramref name="exception"/>, thrown while serving <paramref name="model"/>.</summary>
    public static IResult For(Exception exception, string model, HttpContext context) => exception switch
    {
        ModelNotFoundException e => Error(StatusCodes.Status404NotFound, e.Message),
        Onnx.OnnxInputException e => Error(StatusCodes.Status400BadRequest, $"Model '{ModelErrors.GetModelName(e) ?? model}': {e.Message}"),
        ArgumentException e => Error(StatusCodes.Status400BadRequest, e.Message.Contains($"'{ModelErrors.GetModelName(e) ?? model}'", StringComparison.Ordinal) ? e.Message : $"Model '{ModelErrors.GetModelName(e) ?? model}': {e.Message}"),
        ModelOverloadedException e => Overloaded(e, context),
        TimeoutException e => Error(StatusCodes.Status504GatewayTimeout, e.Message),
        ModelStoppedException or ModelLoadException => Error(StatusCodes.Status503ServiceUnavailable, exception.Message),
        OperationCanceledException when context.RequestAborted.IsCancellationRequested => Results.StatusCode(499), // the client is gone
        _ => Error(StatusCodes.Status500InternalServerError, $"Model '{ModelErrors.GetModelName(exception) ?? model}' failed: {exception.Message}"),
    };

    /// <summary>The status and message <see cref="For"/> would answer (for a stream's final error event).</summary>
    public static (int Status, string Message) Describe(Exception exception, string model) => exception switch
    {
        ModelNotFoundException or ModelOverloadedException or TimeoutException or ModelStoppedException or ModelLoadException or Streaming.StreamItemException or Onnx.OnnxInputException or ArgumentException =>
            (exception is ModelOverloadedException ? 429 : exception is TimeoutException ? 504 : exception is ModelStoppedException or ModelLoadException ? 503 : exception is ModelNotFoundException ? 404 : 400, exception.Message),
        _ => (StatusCodes.Status500InternalServerError, $"Model '{ModelErrors.GetModelName(exception) ?? model}' failed: {exception.Message}"),
    };

    /// <summary>503 for a model that failed to load, at once (the server tries it again in the background), or null when it did not fail.</summary>
    public static IResult? FailedToLoad(ModelDescription description) =>
        description.State == ModelState.Failed
            ? Error(StatusCodes.Status503ServiceUnavailable, $"Model '{description.Name}' failed to load: {description.Error} The server tries it again in the background.")
            : null;

    /// <summary>An error answer with its JSON body.</summary>
    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static IResult Overloaded(ModelOverloadedException exception, HttpContext context)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(exception.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Error(StatusCodes.Status429TooManyRequests, exception.Message);
    }
}
