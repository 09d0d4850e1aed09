using System.Globalization;

namespace ModelActors.Host;

/// <summary>The one mapping from the library's errors to HTTP answers, each with a JSON body <c>{"error": "..."}</c> that names what was wrong.</summary>
internal static class HttpErrors
{
    /// <summary>The answer for <paramref name="exception"/>, thrown while serving <paramref name="model"/>.</summary>
    public static IResult For(Exception exception, string model, HttpContext context)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            return Results.StatusCode(499); // the client is gone
        }

        if (exception is ModelOverloadedException overloaded)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(overloaded.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var (status, message) = Describe(exception, model);
        return Error(status, message);
    }

    /// <summary>
    /// The 429 (with <c>Retry-After</c>) for a request to a model whose queue is full now, answered before its body is
    /// read or parsed, so refusing under overload costs almost nothing; null when the model has room. The connection is
    /// kept: Kestrel drains the unread body after the answer (closing a socket with unread bytes would send a reset
    /// that can destroy the answer before the client reads it).
    /// </summary>
    public static IResult? Saturated(ModelLibrary library, string model, HttpContext context) =>
        library.CheckCapacity(model) is { } overloaded ? For(overloaded, model, context) : null;

    /// <summary>The status and the message naming the model for <paramref name="exception"/> (also a stream's final error event).</summary>
    public static (int Status, string Message) Describe(Exception exception, string model)
    {
        var name = ModelErrors.GetModelName(exception) ?? model;
        return exception switch
        {
            ModelNotFoundException => (StatusCodes.Status404NotFound, exception.Message),
            Streaming.StreamItemException => (StatusCodes.Status400BadRequest, exception.Message),
            ArgumentException => (StatusCodes.Status400BadRequest, exception.Message.Contains($"'{name}'", StringComparison.Ordinal) ? exception.Message : $"Model '{name}': {exception.Message}"),
            ModelOverloadedException => (StatusCodes.Status429TooManyRequests, exception.Message),
            TimeoutException => (StatusCodes.Status504GatewayTimeout, exception.Message),
            ModelStoppedException or ModelLoadException or ModelUnavailableException => (StatusCodes.Status503ServiceUnavailable, exception.Message),
            ModelMessageTooLargeException => (StatusCodes.Status413PayloadTooLarge, exception.Message),
            Onnx.OnnxRuntimeException { ErrorCode: Onnx.OrtErrorCode.InvalidArgument } => (StatusCodes.Status400BadRequest, $"Model '{name}' cannot take this input (ONNX Runtime refused it): {exception.Message}"),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (StatusCodes.Status413PayloadTooLarge, RequestBodies.TooLargeMessage(null)),
            BadHttpRequestException bad => (bad.StatusCode, $"Model '{name}': the request body could not be read: {exception.Message}"),
            _ => (StatusCodes.Status500InternalServerError, $"Model '{name}' failed: {exception.Message}"),
        };
    }

    /// <summary>503 for a model that failed to load, at once (the server tries it again in the background), or null when it did not fail.</summary>
    public static IResult? FailedToLoad(ModelDescription description) =>
        FailedToLoadMessage(description) is { } message ? Error(StatusCodes.Status503ServiceUnavailable, message) : null;

    /// <summary>Why a model that failed to load cannot answer (every protocol's 503), or null when it did not fail.</summary>
    public static string? FailedToLoadMessage(ModelDescription description) =>
        description.State == ModelState.Failed
            ? $"Model '{description.Name}' failed to load: {description.Error} " + (description.ModelType == typeof(Triton.UnservableModel)
                ? "Fix its configuration; a repository load request or poll reads it again."
                : "The server tries it again in the background.")
            : null;

    /// <summary>An error answer with its JSON body.</summary>
    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
