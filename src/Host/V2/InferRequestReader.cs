using System.Text.Json;
using ModelActors.Onnx;

namespace ModelActors.Host.V2;

/// <summary>
/// Reads a v2 JSON inference request (<c>id</c>, <c>parameters</c>, <c>inputs</c> with <c>name</c>, <c>shape</c>,
/// <c>datatype</c> and flat or nested <c>data</c>, <c>outputs</c>) into tensors, and checks it against the model's
/// signature when one is known. Every refusal names the model and the input or field at fault.
/// </summary>
internal static class InferRequestReader
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>Parses <paramref name="body"/> for model <paramref name="model"/>.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="model">The model's name, for errors.</param>
    /// <param name="signature">The model's inputs and outputs, when known, to check the request against.</param>
    /// <param name="headerLength">The <c>Inference-Header-Content-Length</c> header (binary tensor extension): the JSON is
    /// the body's first this many bytes, the inputs' binary data follows; null when the body is all JSON.</param>
    /// <exception cref="InferRequestException">The request is malformed or does not fit the model.</exception>
    public static InferRequest Read(ReadOnlyMemory<byte> body, string model, TensorSignature? signature, long? headerLength = null)
    {
        BinarySection? binary = null;
        if (headerLength is { } length)
        {
            if (length < 0 || length > body.Length)
            {
                throw new InferRequestException($"Model '{model}': Inference-Header-Content-Length is {length}, but the body has {body.Length} bytes.");
            }

            binary = new BinarySection(body[(int)length..]);
            body = body[..(int)length];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(PythonJsonLiterals.Quote(body), Options);
        }
        catch (JsonException exception)
        {
            throw new InferRequestException($"Model '{model}': the body is not valid JSON: {exception.Message}");
        }

        using (document)
        {
            try
            {
                var request = Read(document.RootElement, body.Length, model, signature, binary);
                if (binary is { Left: > 0 } left)
                {
                    throw new InferRequestException($"Model '{model}': {left.Left} bytes of binary data are left after the inputs' binary_data_size.");
                }

                return request;
            }
            catch (InvalidOperationException exception) when (exception.InnerException is System.Text.DecoderFallbackException)
            {
                throw new InferRequestException($"Model '{model}': a string in the body is not valid UTF-8.");
            }
            catch (InvalidOperationException exception) when (JsonText.IsInvalidString(exception))
            {
                throw new InferRequestException($"Model '{model}': a string in the body is not valid text ({exception.Message.TrimEnd('.')}).");
            }
        }
    }

    private static InferRequest Read(JsonElement root, int bodyLength, string model, TensorSignature? signature, BinarySection? binary)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InferRequestException($"Model '{model}': the body must be a JSON object with an 'inputs' array, not {Kind(root)}.");
        }

        string? id = null;
        if (root.TryGetProperty("id", out var idElement))
        {
            id = idElement.ValueKind == JsonValueKind.String
                ? JsonText.Read(idElement, model, "'id'")
                : throw new InferRequestException($"Model '{model}': 'id' must be a string, not {Kind(idElement)}.");
        }

        JsonElement? parameters = null;
        if (root.TryGetProperty("parameters", out var parametersElement))
        {
            parameters = parametersElement.ValueKind == JsonValueKind.Object
                ? parametersElement.Clone()
                : throw new InferRequestException($"Model '{model}': 'parameters' must be an object, not {Kind(parametersElement)}.");
            JsonText.Check(parametersElement, model, "'parameters'"); // echoed in the answer
        }

        var inputs = ReadInputs(root, model, signature, bodyLength, binary);
        var binaryOutputs = new HashSet<string>(StringComparer.Ordinal);
        var outputs = ReadOutputs(root, model, signature, binaryOutputs);
        var allBinary = parameters is { } p && p.TryGetProperty("binary_data_output", out var all) && all.ValueKind == JsonValueKind.True;
        return new InferRequest(id, parameters, inputs, outputs, binaryOutputs, allBinary);
    }

    private static OnnxTensors ReadInputs(JsonElement root, string model, TensorSignature? signature, int bodyLength, BinarySection? binary)
    {
        if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
        {
            throw new InferRequestException($"Model '{model}': the request needs an 'inputs' array with at least one input.");
        }

        var tensors = new OnnxTensors();
        var index = 0;
        foreach (var input in inputs.EnumerateArray())
        {
            var (name, tensor) = ReadInput(input, index++, model, signature, bodyLength, binary);
            if (tensors.ContainsKey(name))
            {
                throw new InferRequestException($"Model '{model}': input '{name}' is given twice.");
            }

            tensors[name] = tensor;
        }

        V2Signature.CheckComplete(signature, model, tensors);
        return tensors;
    }

    private static (string Name, OnnxTensor Tensor) ReadInput(JsonElement input, int index, string model, TensorSignature? signature, int bodyLength, BinarySection? binary)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw new InferRequestException($"Model '{model}': inputs[{index}] must be an object, not {Kind(input)}.");
        }

        var name = input.TryGetProperty("name", out var nameElement) && nameElement.ValueKind == JsonValueKind.String
            ? JsonText.Read(nameElement, model, $"inputs[{index}].name")
            : throw new InferRequestException($"Model '{model}': inputs[{index}] needs a 'name' string.");
        var datatype = input.TryGetProperty("datatype", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? JsonText.Read(typeElement, model, $"the datatype of input '{name}'")
            : throw new InferRequestException($"Model '{model}': input '{name}' needs a 'datatype' string (one of {V2Datatypes.Names}).");
        var type = V2Signature.ParseDatatype(model, name, datatype);
        V2Signature.CheckInput(signature, model, name, type, datatype);

        var shape = ReadShape(input, name, model);
        if (input.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("binary_data_size", out var sizeElement))
        {
            var what = $"Model '{model}': input '{name}' ({datatype})";
            if (binary is null)
            {
                throw new InferRequestException($"{what} has binary_data_size, but the request has no Inference-Header-Content-Length header saying where the JSON ends.");
            }

            if (input.TryGetProperty("data", out _))
            {
                throw new InferRequestException($"{what} has both 'data' and binary_data_size: give its values one way.");
            }

            if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt32(out var size) || size < 0 || size > binary.Left)
            {
                throw new InferRequestException($"{what}: binary_data_size {sizeElement.GetRawText()} is not a byte count within the {binary.Left} bytes of binary data left.");
            }

            return (name, BinaryTensors.Read(binary.Take(size).Span, type, shape, what));
        }

        if (!input.TryGetProperty("data", out var data))
        {
            throw new InferRequestException($"Model '{model}': input '{name}' has no 'data'.");
        }

        return (name, TensorData.Read(data, type, shape, bodyLength, $"Model '{model}': input '{name}' ({datatype})"));
    }

    private static long[] ReadShape(JsonElement input, string name, string model)
    {
        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new InferRequestException($"Model '{model}': input '{name}' needs a 'shape' array of dimensions.");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var value) || value < 0)
            {
                throw new InferRequestException($"Model '{model}': input '{name}' has shape dimension {i} = {dimension.GetRawText()}; dimensions are whole numbers ≥ 0.");
            }

            shape[i++] = value;
        }

        return shape;
    }

    private static List<string>? ReadOutputs(JsonElement root, string model, TensorSignature? signature, HashSet<string> binary)
    {
        if (!root.TryGetProperty("outputs", out var outputs) || outputs.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (outputs.ValueKind != JsonValueKind.Array)
        {
            throw new InferRequestException($"Model '{model}': 'outputs' must be an array of {{\"name\": ...}} objects, not {Kind(outputs)}.");
        }

        var names = new List<string>();
        foreach (var output in outputs.EnumerateArray())
        {
            var name = output.ValueKind == JsonValueKind.Object && output.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                ? JsonText.Read(n, model, $"outputs[{names.Count}].name")
                : throw new InferRequestException($"Model '{model}': outputs[{names.Count}] needs a 'name' string.");
            V2Signature.CheckOutput(signature, model, name);

            names.Add(name);
            if (output.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("binary_data", out var flag) && flag.ValueKind == JsonValueKind.True)
            {
                binary.Add(name);
            }
        }

        return names.Count == 0 ? null : names;
    }

    /// <summary>How a JSON value is named in an error.</summary>
    internal static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>The binary section of a request: the inputs take their bytes from it in order.</summary>
    private sealed class BinarySection(ReadOnlyMemory<byte> data)
    {
        private int _at;

        public int Left => data.Length - _at;

        public ReadOnlyMemory<byte> Take(int count)
        {
            var taken = data.Slice(_at, count);
            _at += count;
            return taken;
        }
    }
}
