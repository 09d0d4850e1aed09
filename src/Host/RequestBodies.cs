using System.Buffers;

namespace ModelActors.Host;

/// <summary>Reads a request body whole, refusing one over the configured limit with 413 before it is all read.</summary>
internal static class RequestBodies
{
    /// <summary>The body's bytes, or null when it is over <paramref name="limit"/> bytes (the caller answers 413).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadWholeAsync(request, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null; // a chunked body Kestrel's own limit (the same one) stopped first
        }
    }

    /// <summary>The 413 answer naming the limit.</summary>
    public static IResult TooLarge(long limit) => HttpErrors.Error(StatusCodes.Status413PayloadTooLarge, TooLargeMessage(limit));

    /// <summary>What a 413 says (the limit, when known).</summary>
    public static string TooLargeMessage(long? limit) =>
        $"The request body is over the limit{(limit is null ? string.Empty : $" of {limit} bytes")} (Server:MaxRequestBodySize).";

    private static async Task<ReadOnlyMemory<byte>?> ReadWholeAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                return null;
            }

            var exact = new byte[declared];
            await request.Body.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false);
            return exact;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return null;
            }
        }
    }
}
