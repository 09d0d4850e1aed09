using System.Globalization;
using System.Text.Json;
using ModelActors.Onnx;
using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Host.V2;

/// <summary>Turns a v2 input's flat or nested JSON <c>data</c> into a typed tensor of the given shape, naming the element at fault.</summary>
internal static class TensorData
{
    /// <summary>Reads <paramref name="data"/> as <paramref name="type"/> elements in shape <paramref name="shape"/>.</summary>
    /// <param name="data">The JSON data: a number, string or boolean, or nested arrays of them.</param>
    /// <param name="type">The element type.</param>
    /// <param name="shape">The declared shape.</param>
    /// <param name="bodyLength">The request body's length in bytes: every element takes at least one, so it bounds the count.</param>
    /// <param name="what">Names the model, input and datatype in errors.</param>
    public static OnnxTensor Read(JsonElement data, TensorElementType type, long[] shape, int bodyLength, string what)
    {
        var count = 1L;
        foreach (var dimension in shape)
        {
            count = dimension == 0 ? 0 : count > int.MaxValue / dimension ? long.MaxValue : count * dimension;
        }

        // Every element takes at least one byte of JSON, so a shape that holds more than the body cannot match.
        if (count > bodyLength || count > Array.MaxLength)
        {
            throw new InferRequestException($"{what}: shape [{string.Join(", ", shape)}] holds {Format(count)} elements, more than the data holds.");
        }

        return type switch
        {
            TensorElementType.Bool => Fill(data, shape, (int)count, what, static e => e.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Wrong("true or false"),
            }),
            TensorElementType.UInt8 => Fill(data, shape, (int)count, what, static e => checked((byte)Integer(e, byte.MinValue, byte.MaxValue))),
            TensorElementType.UInt16 => Fill(data, shape, (int)count, what, static e => checked((ushort)Integer(e, ushort.MinValue, ushort.MaxValue))),
            TensorElementType.UInt32 => Fill(data, shape, (int)count, what, static e => checked((uint)Integer(e, uint.MinValue, uint.MaxValue))),
            TensorElementType.UInt64 => Fill(data, shape, (int)count, what, static e =>
                e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var v) ? v : throw Wrong("a whole number from 0 to 18446744073709551615")),
            TensorElementType.Int8 => Fill(data, shape, (int)count, what, static e => checked((sbyte)Integer(e, sbyte.MinValue, sbyte.MaxValue))),
            TensorElementType.Int16 => Fill(data, shape, (int)count, what, static e => checked((short)Integer(e, short.MinValue, short.MaxValue))),
            TensorElementType.Int32 => Fill(data, shape, (int)count, what, static e => checked((int)Integer(e, int.MinValue, int.MaxValue))),
            TensorElementType.Int64 => Fill(data, shape, (int)count, what, static e => Integer(e, long.MinValue, long.MaxValue)),
            TensorElementType.Float16 => Fill(data, shape, (int)count, what, static e => (Half)Real(e)),
            TensorElementType.Float => Fill(data, shape, (int)count, what, static e => (float)Real(e)),
            TensorElementType.Double => Fill(data, shape, (int)count, what, static e => Real(e)),
            TensorElementType.BFloat16 => Fill(data, shape, (int)count, what, static e => (BFloat16)(float)Real(e)),
            TensorElementType.String => Fill(data, shape, (int)count, what, static e =>
                e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Wrong("a string")),
            _ => throw new InferRequestException($"{what}: element type {type} is not supported."),
        };
    }

    private static OnnxTensor Fill<T>(JsonElement data, long[] shape, int count, string what, Func<JsonElement, T> convert)
    {
        // Nested when its first element is an array: then it must nest as the shape does (checked as it is read, one
        // pass); else it is flat, read in row-major order, and an array met further on is refused.
        var nested = data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0 && data[0].ValueKind == JsonValueKind.Array;
        var values = new T[count];
        var index = 0;
        Walk(data, values, ref index, what, convert, nested ? new Nesting(shape) : null, depth: 0);
        if (index != count)
        {
            throw new InferRequestException($"{what}: shape [{string.Join(", ", shape)}] holds {count} elements, but the data has {index}.");
        }

        return OnnxTensor.Create(values, shape);
    }

    private static void Walk<T>(JsonElement data, T[] values, ref int index, string what, Func<JsonElement, T> convert, Nesting? nesting, int depth)
    {
        if (nesting is not null)
        {
            nesting.Check(data, depth, what);
        }
        else if (depth > 0 && data.ValueKind == JsonValueKind.Array)
        {
            throw new InferRequestException($"{what}: data[{index}] is an array in flat data: give every element flat, or nest them all as the shape does.");
        }

        if (data.ValueKind != JsonValueKind.Array)
        {
            if (index >= values.Length)
            {
                throw new InferRequestException($"{what}: the data has more elements than the shape's {values.Length}.");
            }

            try
            {
                values[index] = convert(data);
            }
            catch (WrongElement wrong)
            {
                var text = data.GetRawText();
                throw new InferRequestException($"{what}: element {index} is {(text.Length > 40 ? text[..40] + "…" : text)}, not {wrong.Message}.");
            }
            catch (InvalidOperationException invalid) when (JsonText.IsInvalidString(invalid))
            {
                throw new InferRequestException($"{what}: element {index} is not valid text ({invalid.Message.TrimEnd('.')}).");
            }

            index++;
            return;
        }

        var i = 0;
        foreach (var element in data.EnumerateArray())
        {
            nesting?.Enter(depth, i++);
            Walk(element, values, ref index, what, convert, nesting, depth + 1);
        }
    }

    /// <summary>
    /// Nested data must nest as the shape does: at each depth an array as long as that dimension, elements at the depth
    /// of the shape's rank. Ragged nesting is refused naming where it differs (the path is built only then), never flattened.
    /// </summary>
    private sealed class Nesting(long[] shape)
    {
        private readonly int[] _position = new int[shape.Length + 1];

        /// <summary>The element at <paramref name="depth"/> + 1 about to be read is number <paramref name="i"/> of its array.</summary>
        public void Enter(int depth, int i) => _position[depth] = i;

        public void Check(JsonElement element, int depth, string what)
        {
            if (depth == shape.Length)
            {
                if (element.ValueKind == JsonValueKind.Array)
                {
                    throw new InferRequestException($"{what}: {Path(depth)} is an array, but the shape [{string.Join(", ", shape)}] has {shape.Length} dimension(s): nested data must nest as the shape does.");
                }

                return;
            }

            if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != shape[depth])
            {
                var found = element.ValueKind == JsonValueKind.Array ? $"an array of {element.GetArrayLength()}" : "an element";
                throw new InferRequestException($"{what}: {Path(depth)} is {found}, but dimension {depth} of the shape [{string.Join(", ", shape)}] is {shape[depth]}: nested data must nest as the shape does.");
            }
        }

        private string Path(int depth) => "data" + string.Concat(_position.Take(depth).Select(p => $"[{p}]"));
    }

    private static long Integer(JsonElement element, long min, long max)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= min && value <= max)
        {
            return value;
        }

        throw Wrong($"a whole number from {min} to {max}");
    }

    private static double Real(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.TryGetDouble(out var value) ? value : throw Wrong("a number"),
        JsonValueKind.String => element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => throw Wrong("a number (or NaN, Infinity, -Infinity)"),
        },
        _ => throw Wrong("a number"),
    };

    private static WrongElement Wrong(string expected) => new(expected);

    /// <summary>An element of the wrong kind; <see cref="Walk"/> adds which element and where.</summary>
    private sealed class WrongElement(string expected) : Exception(expected);

    private static string Format(long count) => count == long.MaxValue ? "too many" : count.ToString(CultureInfo.InvariantCulture);
}
