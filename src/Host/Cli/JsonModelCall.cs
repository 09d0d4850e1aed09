using System.Text.Json;
using ModelActors.Host.Server;
using ModelActors.Host.V2;
using ModelActors.Onnx;

namespace ModelActors.Host.Cli;

/// <summary>
/// One model call from JSON to JSON in-process, as the server would make it: a typed item for a C# model, a v2
/// inference request (<c>{"inputs": [...]}</c>) for a tensor model. Parsed once, callable many times (bench).
/// </summary>
internal sealed class JsonModelCall
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;
    private readonly Func<CancellationToken, Task<byte[]>> _call;

    private JsonModelCall(Func<CancellationToken, Task<byte[]>> call) => _call = call;

    /// <summary>Parses <paramref name="body"/> for <paramref name="model"/>.</summary>
    /// <exception cref="ModelNotFoundException">No such model.</exception>
    /// <exception cref="InvalidOperationException">The JSON does not fit the model; the message names what was wrong.</exception>
    public static JsonModelCall Create(ModelLibrary library, ModelVersions versions, string model, byte[] body)
    {
        var description = library.Describe(model);
        if (description.ItemType == typeof(OnnxTensors) && description.ResultType == typeof(OnnxTensors))
        {
            InferRequest request;
            try
            {
                request = InferRequestReader.Read(body, model, library.GetTensorSignature(model));
            }
            catch (InferRequestException exception)
            {
                throw new InvalidOperationException(exception.Message, exception);
            }

            var client = library.Get<OnnxTensors, OnnxTensors>(model);
            return new JsonModelCall(async ct =>
            {
                var outputs = await client.PredictAsync(request.Inputs, ct).ConfigureAwait(false);
                if (InferResponse.NotText(model, request, outputs) is { } notText)
                {
                    throw new InvalidOperationException(notText);
                }

                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    new InferResponse(model, versions.Of(model), request, outputs).Write(writer);
                }

                return buffer.ToArray();
            });
        }

        object item;
        try
        {
            item = JsonSerializer.Deserialize(body, description.ItemType, Json)
                ?? throw new InvalidOperationException($"Model '{model}' takes a {description.ItemType.Name} item; the JSON is null.");
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"Model '{model}' takes a {description.ItemType.Name} item as JSON; this is not one: {exception.Message}", exception);
        }

        var invoker = ModelInvoker.For(description.ItemType, description.ResultType);
        return new JsonModelCall(async ct => JsonSerializer.SerializeToUtf8Bytes(await invoker.PredictAsync(library, model, item, ct).ConfigureAwait(false), Json));
    }

    /// <summary>Calls the model; the answer as JSON.</summary>
    public Task<byte[]> InvokeAsync(CancellationToken cancellationToken) => _call(cancellationToken);
}
