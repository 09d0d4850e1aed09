using System.Text.Json;
using ModelActors.Host.V2;
using ModelActors.Onnx;

namespace ModelActors.Host.Jobs;

/// <summary>
/// A job's items as submitted, checked before the job is accepted so that a bad item is a 400 naming it rather than a
/// failed item later: for a typed model a JSON array of its items; for a tensor model a JSON array of v2 inference
/// requests (JSON tensors; binary outputs are not available in jobs).
/// </summary>
internal static class JobItems
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

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
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new JobSubmissionException($"Model '{model}': a job takes a JSON array of {what}; the body is not one: it is a JSON {root.ValueKind.ToString().ToLowerInvariant()}.");
            }

            var count = root.GetArrayLength();
            if (count == 0)
            {
                throw new JobSubmissionException($"Model '{model}': a job takes a JSON array of {what}, and the body has none.");
            }

            var index = 0;
            var signature = tensor ? library.GetTensorSignature(model) : null;
            foreach (var item in root.EnumerateArray())
            {
                if (tensor)
                {
                    try
                    {
                        ReadTensorRequest(item, model, signature, index);
                    }
                    catch (InferRequestException exception)
                    {
                        throw new JobSubmissionException(exception.Message);
                    }
                }
                else
                {
                    try
                    {
                        _ = item.Deserialize(description.ItemType, Json);
                    }
                    catch (Exception exception) when (exception is JsonException or NotSupportedException)
                    {
                        throw new JobSubmissionException($"Model '{model}': item {index} of the job is not a {description.ItemType.Name}: {exception.Message}");
                    }
                }

                index++;
            }

            return (body.ToArray(), count, tensor ? JobKind.Tensor : JobKind.Typed);
        }
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
            writer.WriteString("name", name);
            writer.WriteString("datatype", V2Datatypes.NameOf(tensor.ElementType));
            writer.WriteStartArray("shape");
            foreach (var dimension in tensor.Shape)
            {
                writer.WriteNumberValue(dimension);
            }

            writer.WriteEndArray();
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
