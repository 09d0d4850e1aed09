using System.Text.Json;
using ModelActors.Host.V2;
using ModelActors.Onnx;

namespace ModelActors.Host.Jobs;

/// <summary>
/// A job's items as submitted, checked before the job is accepted so that a bad item is a 400 naming it rather than a
/// failed item later: for a typed model a JSON array of its items; for a tensor model a JSON array of v2 inference
/// requests (JSON tensors; binary outputs are not available in jobs), or one v2 request whose inputs' first axis is
/// split into items.
/// </summary>
internal static class JobItems
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>The longest idempotency key taken.</summary>
    public const int MaxKeyLength = 255;

    /// <summary>Why <paramref name="key"/> is not an idempotency key (1–255 visible ASCII characters), or null when it is (or there is none).</summary>
    /// <param name="key">The key, null when none was given.</param>
    /// <param name="field">Where it came from (the HTTP header or the gRPC field), named in the message.</param>
    public static string? CheckKey(string? key, string field) =>
        key is null || (key.Length is > 0 and <= MaxKeyLength && key.All(c => c is > ' ' and <= '~'))
            ? null
            : $"{field} must be 1 to {MaxKeyLength} visible ASCII characters (no spaces); it has {key.Length} character(s){(key.Length is > 0 and <= MaxKeyLength ? ", some of them not visible ASCII" : "")}.";

    /// <summary>The items of <paramref name="body"/> for <paramref name="description"/>'s model as a JSON array, and their count.</summary>
    /// <exception cref="JobSubmissionException">The body is not a non-empty array of the model's items; the message names the model and the item.</exception>
    public static (byte[] Items, int Count, string Kind) Read(ModelLibrary library, ModelDescription description, ReadOnlyMemory<byte> body)
    {
        var model = description.Name;
        var tensor = description.ItemType == typeof(OnnxTensors);
        var what = tensor ? "v2 inference requests" : $"{description.ItemType.Name} items";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException exception)
        {
            throw new JobSubmissionException($"Model '{model}': a job takes a JSON array of {what}; the body is not one: {exception.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (tensor && root.ValueKind == JsonValueKind.Object)
            {
                return SplitFirstAxis(library, model, body);
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new JobSubmissionException($"Model '{model}': a job takes a JSON array of {what}; the body is not one: it is a JSON {root.ValueKind.ToString().ToLowerInvariant()}.");
            }

            var count = root.GetArrayLength();
            if (count == 0)
            {
                throw new JobSubmissionException($"Model '{model}': a job takes a JSON array of {what}, and the body has none.");
            }

            if (tensor)
            {
                CheckTensorRequests(root, model, library.GetTensorSignature(model));
            }
            else
            {
                CheckItems(root, model, description.ItemType);
            }

            return (body.ToArray(), count, tensor ? JobKind.Tensor : JobKind.Typed);
        }
    }

    private static void CheckTensorRequests(JsonElement items, string model, TensorSignature? signature)
    {
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            try
            {
                ReadTensorRequest(item, model, signature, index++);
            }
            catch (InferRequestException exception)
            {
                throw new JobSubmissionException(exception.Message);
            }
        }
    }

    /// <summary>Reads the whole array as the model's items at once (as the job will); item by item only to name the one that is not.</summary>
    private static void CheckItems(JsonElement items, string model, Type itemType)
    {
        try
        {
            if (NullItem(items.Deserialize(typeof(List<>).MakeGenericType(itemType), Json) as System.Collections.IList, itemType) is { } at)
            {
                throw new JobSubmissionException($"Model '{model}': item {at} of the job is null; the model takes {itemType.Name} items.");
            }

            return;
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            // One is not an item: find which.
        }

        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            try
            {
                _ = item.Deserialize(itemType, Json);
            }
            catch (Exception exception) when (exception is JsonException or NotSupportedException)
            {
                throw new JobSubmissionException($"Model '{model}': item {index} of the job is not a {itemType.Name}: {exception.Message}");
            }

            index++;
        }
    }

    /// <summary>
    /// The index of the first null among <paramref name="items"/> when <paramref name="itemType"/> cannot be null (a
    /// reference type: JSON's null reads as null, and the model would fail on it; a <see cref="Nullable{T}"/> takes it).
    /// </summary>
    /// <param name="items">The items read.</param>
    /// <param name="itemType">The model's item type.</param>
    /// <returns>The index, or null when none is null.</returns>
    internal static int? NullItem(System.Collections.IList? items, Type itemType)
    {
        if (items is null || (itemType.IsValueType && Nullable.GetUnderlyingType(itemType) is not null))
        {
            return null;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                return i;
            }
        }

        return null;
    }

    private static readonly System.Reflection.MethodInfo CreateTensor =
        typeof(OnnxTensor).GetMethods().Single(m => m.Name == nameof(OnnxTensor.Create) && m.IsGenericMethodDefinition);

    /// <summary>
    /// One v2 request whose inputs all have the same first dimension N, as N requests: item i has row i of every input
    /// (shape [1, …], so a model with a batch axis takes it as it is and the batcher merges the items again), the
    /// outputs asked for, and the id <c>{id}-{i}</c> when the request had one.
    /// </summary>
    private static (byte[] Items, int Count, string Kind) SplitFirstAxis(ModelLibrary library, string model, ReadOnlyMemory<byte> body)
    {
        InferRequest request;
        try
        {
            request = InferRequestReader.Read(body, model, library.GetTensorSignature(model));
        }
        catch (InferRequestException exception)
        {
            throw new JobSubmissionException($"The job's request: {exception.Message}");
        }

        if (request.AnyBinary)
        {
            throw new JobSubmissionException($"Model '{model}': the job's request asks for binary outputs (binary_data); a job keeps its results as JSON, so ask for JSON data.");
        }

        var rows = -1L;
        foreach (var (name, tensor) in request.Inputs)
        {
            var first = tensor.Shape.Count > 0 ? tensor.Shape[0]
                : throw new JobSubmissionException($"Model '{model}': input '{name}' is a scalar; a job splits its request's inputs along their first axis, so each needs one.");
            if (rows >= 0 && first != rows)
            {
                throw new JobSubmissionException($"Model '{model}': input '{name}' has {first} rows along its first axis and another input {rows}; a job splits its request into items along that axis, so they must agree.");
            }

            rows = first;
        }

        if (rows <= 0)
        {
            throw new JobSubmissionException($"Model '{model}': the job's request has no rows to split into items (its inputs' first axis is empty).");
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var row = 0; row < rows; row++)
            {
                var inputs = new OnnxTensors();
                foreach (var (name, tensor) in request.Inputs)
                {
                    inputs[name] = Row(tensor, row, rows);
                }

                WriteTensorRequest(writer, request.Id is null ? null : $"{request.Id}-{row}", inputs, request.Outputs);
            }

            writer.WriteEndArray();
        }

        return (buffer.WrittenSpan.ToArray(), (int)rows, JobKind.Tensor);
    }

    /// <summary>Row <paramref name="row"/> of <paramref name="rows"/> along the first axis, with shape [1, …].</summary>
    private static OnnxTensor Row(OnnxTensor tensor, long row, long rows)
    {
        var size = tensor.ElementCount / rows;
        var elements = tensor.Data.GetType().GetElementType()!;
        var data = Array.CreateInstance(elements, size);
        Array.Copy(tensor.Data, row * size, data, 0, size);
        long[] shape = [1, .. tensor.Shape.Skip(1)];
        return (OnnxTensor)CreateTensor.MakeGenericMethod(elements).Invoke(null, [data, shape])!;
    }

    /// <summary>Writes a v2 inference request in JSON: its id, its inputs as JSON tensors, and the outputs asked for.</summary>
    public static void WriteTensorRequest(Utf8JsonWriter writer, string? id, OnnxTensors inputs, IReadOnlyList<string>? outputs)
    {
        writer.WriteStartObject();
        if (!string.IsNullOrEmpty(id))
        {
            writer.WriteString("id", id);
        }

        writer.WriteStartArray("inputs");
        foreach (var (name, tensor) in inputs)
        {
            writer.WriteStartObject();
            InferResponse.WriteHead(writer, name, tensor);
            writer.WritePropertyName("data");
            InferResponse.WriteData(writer, tensor);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (outputs is not null)
        {
            writer.WriteStartArray("outputs");
            foreach (var name in outputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Item <paramref name="index"/> of a tensor job, parsed as a v2 inference request.</summary>
    /// <exception cref="InferRequestException">It is not one this model can take; the message names the item.</exception>
    public static InferRequest ReadTensorRequest(JsonElement item, string model, TensorSignature? signature, int index)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new InferRequestException($"Model '{model}': item {index} of the job is not a v2 inference request (a JSON object with \"inputs\").");
        }

        InferRequest request;
        try
        {
            request = InferRequestReader.Read(JsonSerializer.SerializeToUtf8Bytes(item), model, signature);
        }
        catch (InferRequestException exception)
        {
            throw new InferRequestException($"Item {index} of the job: {exception.Message}");
        }

        return request.AnyBinary
            ? throw new InferRequestException($"Model '{model}': item {index} of the job asks for binary outputs (binary_data); a job keeps its results as JSON, so ask for JSON data.")
            : request;
    }
}

/// <summary>A job submission that cannot be accepted as sent (answered 400 with its message).</summary>
/// <param name="message">What was wrong, naming the model and the item.</param>
internal sealed class JobSubmissionException(string message) : Exception(message);
