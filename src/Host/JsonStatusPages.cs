using Microsoft.AspNetCore.WebUtilities;

namespace ModelActors.Host;

/// <summary>
/// The errors ASP.NET answers on its own — no route for the path, a method the route does not take, a query or route
/// value that does not bind to its parameter — get the JSON body <c>{"error": "..."}</c> every other error of the server
/// has, naming what was wrong (the framework answers them with an empty body).
/// </summary>
internal static class JsonStatusPages
{
    /// <summary>Has minimal APIs throw their binding failures (caught here, with the parameter they name) instead of an empty 400.</summary>
    /// <param name="services">The host's services.</param>
    public static void AddJsonStatusPages(this IServiceCollection services) =>
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

    /// <summary>Adds the middleware (before the endpoints): one middleware, which costs a request that needs nothing one check.</summary>
    /// <param name="app">The application.</param>
    public static void UseJsonStatusPages(this WebApplication app) => app.Use((context, next) =>
    {
        Task task;
        try
        {
            task = next(context);
        }
        catch (Exception exception)
        {
            task = Task.FromException(exception); // a binding failure is thrown before the endpoint's task exists
        }

        return task.IsCompletedSuccessfully && !NeedsBody(context) ? Task.CompletedTask : CompleteAsync(context, task);
    });

    private static async Task CompleteAsync(HttpContext context, Task endpoint)
    {
        try
        {
            await endpoint.ConfigureAwait(false);
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            var message = exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? RequestBodies.TooLargeMessage(null)
                : $"{context.Request.Method} {context.Request.Path}: {exception.Message}";
            await HttpErrors.Error(exception.StatusCode, message).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (NeedsBody(context))
        {
            var (status, method, path) = (context.Response.StatusCode, context.Request.Method, context.Request.Path);
            var message = status switch
            {
                StatusCodes.Status404NotFound => $"No route for {method} {path}; GET /openapi/v1.json lists the routes.",
                StatusCodes.Status405MethodNotAllowed => $"{path} does not take {method}{(context.Response.Headers.Allow is { Count: > 0 } allow ? $"; it takes {allow}" : string.Empty)}.",
                _ => $"{method} {path}: {ReasonPhrases.GetReasonPhrase(status)}.",
            };
            await HttpErrors.Error(status, message).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    /// <summary>An error the framework answered with nothing written (the client still there).</summary>
    private static bool NeedsBody(HttpContext context) =>
        context.Response.StatusCode is >= 400 and < 600 and not 499
        && !context.Response.HasStarted
        && context.Response.ContentLength is null
        && context.Response.ContentType is null
        && !context.RequestAborted.IsCancellationRequested;
}
