using System.Text.Json;
using ModelActors.Onnx;
using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Host.V2;

/// <summary>
/// The v2 inference answer: <c>model_name</c>, <c>model_version</c>, the request's <c>id</c> and <c>parameters</c>
/// echoed, and the outputs (those asked for, in that order, or all of them in the model's order) with flat data.
/// Non-finite floats are written as Python's json module writes them (bare NaN, Infinity, -Infinity).
/// </summary>
internal sealed class InferResponse(string model, string? version, InferRequest request, OnnxTensors outputs) : IResult
{
    /// <summary>The binary tensor extension's header: how many bytes of the body are JSON (the binary data follows).</summary>
    public const string HeaderLength = "Inference-Header-Content-Length";

    private List<byte[]>? _blobs;

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        if (!request.AnyBinary)
        {
            httpContext.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            Write(writer);
            await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
            return;
        }

        // Binary outputs: the JSON goes first and its length in a header, then each binary output's bytes in order.
        _blobs = [];
        var json = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            Write(writer);
        }

        httpContext.Response.ContentType = "application/octet-stream";
        httpContext.Response.Headers[HeaderLength] = json.WrittenCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await httpContext.Response.Body.WriteAsync(json.WrittenMemory, httpContext.RequestAborted).ConfigureAwait(false);
        foreach (var blob in _blobs)
        {
            await httpContext.Response.Body.WriteAsync(blob, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why the answer cannot be written: an output to be written as JSON holds BYTES that are not UTF-8 text (JSON
    /// strings carry text only, and rewriting the bytes would corrupt them); null when it can.
    /// </summary>
    public static string? NotText(string model, InferRequest request, OnnxTensors outputs)
    {
        foreach (var name in request.Outputs ?? [.. outputs.Keys])
        {
            if (outputs.TryGetValue(name, out var tensor) && tensor.Data is byte[][] && !request.IsBinary(name))
            {
                return $"Model '{model}': output '{name}' holds BYTES that are not UTF-8 text, which a JSON string cannot carry; ask for it as binary data (\"outputs\": [{{\"name\": \"{name}\", \"parameters\": {{\"binary_data\": true}}}}]).";
            }
        }

        return null;
    }

    /// <summary>Writes the answer as JSON (the CLI writes it to the console).</summary>
    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name", model);
        if (version is not null)
        {
            writer.WriteString("model_version", version);
        }

        if (request.Id is not null)
        {
            writer.WriteString("id", request.Id);
        }

        if (request.Parameters is { } parameters)
        {
            writer.WritePropertyName("parameters");
            parameters.WriteTo(writer);
        }

        writer.WriteStartArray("outputs");
        foreach (var name in request.Outputs ?? [.. outputs.Keys])
        {
            var tensor = outputs[name];
            writer.WriteStartObject();
            WriteHead(writer, name, tensor);
            if (_blobs is not null && request.IsBinary(name))
            {
                var blob = BinaryTensors.Write(tensor);
                _blobs.Add(blob);
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", blob.Length);
                writer.WriteEndObject();
            }
            else
            {
                writer.WritePropertyName("data");
                WriteData(writer, tensor);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes a v2 tensor's <c>name</c>, <c>datatype</c> and <c>shape</c> (inside its object; requests' inputs and answers' outputs alike).</summary>
    internal static void WriteHead(Utf8JsonWriter writer, string name, OnnxTensor tensor)
    {
        writer.WriteString("name", name);
        writer.WriteString("datatype", V2Datatypes.NameOf(tensor.ElementType));
        writer.WriteStartArray("shape");
        foreach (var dimension in tensor.Shape)
        {
            writer.WriteNumberValue(dimension);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes a tensor's elements as a flat JSON array.</summary>
    internal static void WriteData(Utf8JsonWriter writer, OnnxTensor tensor)
    {
        writer.WriteStartArray();
        // By element type, not by array type: the runtime lets a byte[] pass as sbyte[] (and ushort[] as short[], …).
        switch (tensor.ElementType)
        {
            case TensorElementType.Float:
                foreach (var v in (float[])tensor.Data)
                {
                    Real(writer, v);
                }

                break;
            case TensorElementType.Double:
                foreach (var v in (double[])tensor.Data)
                {
                    Real(writer, v);
                }

                break;
            case TensorElementType.Float16:
                foreach (var v in (Half[])tensor.Data)
                {
                    Real(writer, (double)v);
                }

                break;
            case TensorElementType.BFloat16:
                foreach (var v in (BFloat16[])tensor.Data)
                {
                    Real(writer, (float)v);
                }

                break;
            case TensorElementType.Bool:
                foreach (var v in (bool[])tensor.Data)
                {
                    writer.WriteBooleanValue(v);
                }

                break;
            case TensorElementType.String:
                foreach (var v in (string[])tensor.Data) // raw bytes were refused before (NotText)
                {
                    writer.WriteStringValue(v);
                }

                break;
            case TensorElementType.UInt64:
                foreach (var v in (ulong[])tensor.Data)
                {
                    writer.WriteNumberValue(v);
                }

                break;
            case TensorElementType.Int64:
                Integers(writer, (long[])tensor.Data);
                break;
            case TensorElementType.Int32:
                Integers(writer, (int[])tensor.Data);
                break;
            case TensorElementType.Int16:
                Integers(writer, (short[])tensor.Data);
                break;
            case TensorElementType.Int8:
                Integers(writer, (sbyte[])tensor.Data);
                break;
            case TensorElementType.UInt8:
                Integers(writer, (byte[])tensor.Data);
                break;
            case TensorElementType.UInt16:
                Integers(writer, (ushort[])tensor.Data);
                break;
            case TensorElementType.UInt32:
                Integers(writer, (uint[])tensor.Data);
                break;
            default:
                throw new NotSupportedException($"Output element type {tensor.ElementType} cannot be written as JSON.");
        }

        writer.WriteEndArray();
    }

    private static void Integers<T>(Utf8JsonWriter writer, T[] values)
        where T : System.Numerics.IBinaryInteger<T>
    {
        foreach (var v in values)
        {
            writer.WriteNumberValue(long.CreateTruncating(v));
        }
    }

    private static void Real(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteRawValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity", skipInputValidation: true);
        }
    }

    private static void Real(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            Real(writer, (double)value);
        }
    }
}
