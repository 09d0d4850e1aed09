using System.Text.Json;

namespace ModelActors.Host.Streaming;

/// <summary>
/// <c>POST /models/{m}/stream</c>: items in (a JSON array or NDJSON, read as they arrive), one event per result
/// in input order (Server-Sent Events when Accept names <c>text/event-stream</c>, else NDJSON), a final error
/// event if the stream fails; the model calls are cancelled when the client disconnects.
/// </summary>
public static class StreamEndpoint
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>Maps the route.</summary>
    /// <param name="app">The application's route builder.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapModelStreams(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/models/{model}/stream", ServeAsync);
        return app;
    }

    private static async Task ServeAsync(string model, HttpContext context, ModelLibrary library, Microsoft.Extensions.Options.IOptions<Server.ServerOptions> options)
    {
        if (ModelLookup.FindTyped(library, model, out var description) is { } refused)
        {
            await refused.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        // A body declared over the limit is refused before the stream's 200 goes out (one sent in chunks that passes the
        // limit ends the stream with a 413 error event: its answer has begun).
        if (context.Request.ContentLength > options.Value.MaxRequestBodySize)
        {
            await RequestBodies.TooLarge(options.Value.MaxRequestBodySize).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (description.ModelType == typeof(Pretrained.Vad.SpeechSegmentsModel))
        {
            await SpeechStreamEndpoint.ServeAsync(model, description, context, library).ConfigureAwait(false);
            return;
        }

        var format = StreamFormat.For(context.Request);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = format.ContentType;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false); // headers out now: a client waits for them before sending more items
        await ModelInvoker.For(description.ItemType, description.ResultType).StreamAsync(library, model, context, format, Json).ConfigureAwait(false);
    }
}
