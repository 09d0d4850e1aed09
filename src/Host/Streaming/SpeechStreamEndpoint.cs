using System.Text.Json;
using Akka.Streams.Dsl;
using ModelActors.Onnx;
using ModelActors.Pretrained.Audio;
using ModelActors.Pretrained.Vad;

namespace ModelActors.Host.Streaming;

/// <summary>
/// <c>POST /models/{m}/stream</c> for a <see cref="SpeechSegmentsModel"/>: live audio in (a WAV stream or raw PCM
/// 16-bit mono, at 16 kHz, read as it arrives), each speech segment out as a Server-Sent Event (<c>event: segment</c>)
/// as soon as it closes; a final <c>event: error</c> if the stream fails. Runs <see cref="SpeechSegmenter"/> on the
/// library's materializer with the model's <c>vad</c> dependency and settings; a disconnect cancels it.
/// </summary>
internal static class SpeechStreamEndpoint
{

    public static async Task ServeAsync(string model, ModelDescription description, HttpContext context, ModelLibrary library)
    {
        var configuration = context.RequestServices.GetRequiredService<IConfiguration>();
        var options = configuration.GetSection($"ModelActors:Models:{model}:Settings").Get<VadOptions>() ?? new VadOptions();
        var vad = library.Get<OnnxTensors, OnnxTensors>(description.Dependencies.TryGetValue("vad", out var name) ? name : "vad");
        var aborted = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(aborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
        try
        {
            var segments = Source.From(() => AudioStream.ReadAsync(context.Request.Body, 16000, model, aborted))
                .Via(SpeechSegmenter.Create(vad, options, aborted))
                .RunAsAsyncEnumerable(library.Materializer);
            await foreach (var segment in segments.WithCancellation(aborted).ConfigureAwait(false))
            {
                await WriteAsync(context.Response, "segment", JsonSerializer.Serialize(segment, JsonSerializerOptions.Web), aborted).ConfigureAwait(false);
            }

            aborted.ThrowIfCancellationRequested();
        }
        catch (Exception exception) when (!aborted.IsCancellationRequested)
        {
            var error = exception is AggregateException { InnerExceptions.Count: 1 } single ? single.InnerExceptions[0] : exception;
            await StreamFormat.ServerSentEvents.WriteErrorAsync(context.Response, HttpErrors.Describe(error, model).Message, aborted).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(HttpResponse response, string name, string data, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"event: {name}\ndata: {data}\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
