using System.Runtime.CompilerServices;
using System.Text.Json;

namespace ModelActors.Host.Streaming;

/// <summary>
/// Reads a stream request's items as they arrive: NDJSON (<c>application/x-ndjson</c>, one item per line) or
/// a JSON array (read element by element). An item that cannot be read ends the stream with an error naming it.
/// </summary>
internal static class StreamItems
{
    /// <summary>The items of <paramref name="request"/>'s body, deserialized to <typeparamref name="TItem"/> one at a time.</summary>
    public static IAsyncEnumerable<TItem> Read<TItem>(HttpRequest request, string model, JsonSerializerOptions json, CancellationToken cancellationToken) =>
        request.ContentType?.Contains("ndjson", StringComparison.OrdinalIgnoreCase) == true
            || request.ContentType?.Contains("jsonl", StringComparison.OrdinalIgnoreCase) == true
            ? Lines<TItem>(request.Body, model, json, cancellationToken)
            : Array<TItem>(request.Body, model, json, cancellationToken);

    private static async IAsyncEnumerable<TItem> Lines<TItem>(Stream body, string model, JsonSerializerOptions json, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body);
        var index = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return Parse<TItem>(line, index++, model, json);
        }
    }

    private static async IAsyncEnumerable<TItem> Array<TItem>(Stream body, string model, JsonSerializerOptions json, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Elements are read as JsonElement first (the reader parses ahead a buffer at a time), then converted one by
        // one, so that an item of the wrong shape is named by its index and the items before it are still served.
        var elements = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body, json, cancellationToken);
        await using var enumerator = elements.GetAsyncEnumerator(cancellationToken);
        var index = 0;
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (JsonException exception)
            {
                throw new StreamItemException($"Model '{model}': the body is not a JSON array of items (or NDJSON with Content-Type application/x-ndjson): {exception.Message}");
            }

            yield return Convert<TItem>(enumerator.Current, index++, "item", model, json);
        }
    }

    private static TItem Parse<TItem>(string line, int index, string model, JsonSerializerOptions json)
    {
        try
        {
            return JsonSerializer.Deserialize<TItem>(line, json) ?? throw new StreamItemException($"Model '{model}': line {index + 1} of the stream is null.");
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            throw new StreamItemException($"Model '{model}': line {index + 1} of the stream is not a {typeof(TItem).Name}: {exception.Message}");
        }
    }

    private static TItem Convert<TItem>(JsonElement element, int index, string what, string model, JsonSerializerOptions json)
    {
        try
        {
            return element.Deserialize<TItem>(json) ?? throw new StreamItemException($"Model '{model}': {what} {index} of the stream is null.");
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            throw new StreamItemException($"Model '{model}': {what} {index} of the stream is not a {typeof(TItem).Name}: {exception.Message}");
        }
    }
}

/// <summary>A stream item that cannot be read; the stream ends with an error event carrying this message.</summary>
/// <param name="message">Names the model and the item.</param>
internal sealed class StreamItemException(string message) : Exception(message);
