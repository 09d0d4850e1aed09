using System.Text;
using System.Text.Json;

namespace ModelActors.Host.Streaming;

/// <summary>How a stream's results are framed: Server-Sent Events (<c>text/event-stream</c>) or NDJSON (one JSON value per line).</summary>
internal abstract class StreamFormat
{
    public static readonly StreamFormat ServerSentEvents = new Sse();
    public static readonly StreamFormat Ndjson = new Lines();

    /// <summary>The content type answered.</summary>
    public abstract string ContentType { get; }

    /// <summary>Picks by the request's Accept header: SSE when it names <c>text/event-stream</c>, else NDJSON.</summary>
    public static StreamFormat For(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true) ? ServerSentEvents : Ndjson;

    /// <summary>Writes result <paramref name="index"/> (already JSON) and flushes it.</summary>
    public abstract Task WriteResultAsync(HttpResponse response, long index, byte[] json, CancellationToken cancellationToken);

    /// <summary>Writes the final error event.</summary>
    public abstract Task WriteErrorAsync(HttpResponse response, string message, CancellationToken cancellationToken);

    protected static byte[] ErrorJson(string message) => JsonSerializer.SerializeToUtf8Bytes(new { error = message });

    private sealed class Sse : StreamFormat
    {
        public override string ContentType => "text/event-stream";

        public override async Task WriteResultAsync(HttpResponse response, long index, byte[] json, CancellationToken cancellationToken)
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"id: {index}\ndata: "), cancellationToken).ConfigureAwait(false);
            await response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
            await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async Task WriteErrorAsync(HttpResponse response, string message, CancellationToken cancellationToken)
        {
            await response.Body.WriteAsync("event: error\ndata: "u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await response.Body.WriteAsync(ErrorJson(message), cancellationToken).ConfigureAwait(false);
            await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Lines : StreamFormat
    {
        public override string ContentType => "application/x-ndjson";

        public override async Task WriteResultAsync(HttpResponse response, long index, byte[] json, CancellationToken cancellationToken)
        {
            await response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
            await response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async Task WriteErrorAsync(HttpResponse response, string message, CancellationToken cancellationToken)
        {
            await response.Body.WriteAsync(ErrorJson(message), cancellationToken).ConfigureAwait(false);
            await response.Body.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
