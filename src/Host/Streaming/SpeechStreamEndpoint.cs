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

    /// <summary>The Content-Types that say WAV; any other audio type, <c>application/octet-stream</c> or none is read as WAV or raw PCM by its first bytes.</summary>
    private static readonly string[] WavTypes = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"];

    public static async Task ServeAsync(string model, ModelDescription description, HttpContext context, ModelLibrary library)
    {
        if (await RefusedAsync(model, context).ConfigureAwait(false) is { } refused)
        {
            await refused.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

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
            var segments = Source.From(() => AudioStream.ReadAsync(context.Request.BodyReader.AsStream(leaveOpen: true), 16000, model, aborted))
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

    /// <summary>
    /// Null when the body may be audio; else the answer, before the stream's 200: 415 for a Content-Type that is not
    /// audio (JSON items belong on <c>/predict</c>), 400 for a body said to be WAV that has no RIFF/WAVE header (its
    /// first bytes are looked at, not consumed).
    /// </summary>
    private static async Task<IResult?> RefusedAsync(string model, HttpContext context)
    {
        var type = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        if (type is not null && !type.StartsWith("audio/", StringComparison.Ordinal) && type != "application/octet-stream")
        {
            return HttpErrors.Error(StatusCodes.Status415UnsupportedMediaType,
                $"Model '{model}' streams audio: send a WAV stream (Content-Type: audio/wav) or raw 16-bit PCM mono at 16 kHz (application/octet-stream), not {type}; for JSON items use POST /models/{model}/predict.");
        }

        if (type is null || !WavTypes.Contains(type))
        {
            return null;
        }

        var reader = context.Request.BodyReader;
        var read = await reader.ReadAtLeastAsync(12, context.RequestAborted).ConfigureAwait(false);
        var head = System.Buffers.BuffersExtensions.ToArray(read.Buffer.Slice(0, Math.Min(12, read.Buffer.Length)));
        reader.AdvanceTo(read.Buffer.Start); // looked at, not consumed: the audio reader reads it again, through the same reader
        return head.Length == 12 && head.AsSpan(0, 4).SequenceEqual("RIFF"u8) && head.AsSpan(8, 4).SequenceEqual("WAVE"u8)
            ? null
            : HttpErrors.Error(StatusCodes.Status400BadRequest, $"Model '{model}': the audio is not a WAV file (no RIFF/WAVE header), though its Content-Type is {type}.");
    }

    private static async Task WriteAsync(HttpResponse response, string name, string data, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"event: {name}\ndata: {data}\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
