using System.Buffers.Binary;
using System.Text;

namespace ModelActors.Onnx;

/// <summary>Runs a model's <see cref="OnnxModelSettings.Warmup"/> when it loads.</summary>
internal static class OnnxWarmups
{
    /// <summary>Runs every warm-up its count of times.</summary>
    /// <exception cref="ModelRegistrationException">A warm-up's inputs cannot be made or its run failed; the message names it.</exception>
    /// <param name="model">The model's name.</param>
    /// <param name="session">The loaded file.</param>
    /// <param name="settings">The warm-ups.</param>
    /// <param name="reshapes">The model's reshapes: warm-up inputs have the declared dimensions, as requests do.</param>
    public static void Run(string model, InferenceSession session, OnnxModelSettings settings, OnnxReshapes? reshapes)
    {
        foreach (var warmup in settings.Warmup)
        {
            Dictionary<string, OnnxTensor> inputs;
            try
            {
                inputs = warmup.Inputs.ToDictionary(p => p.Key, p => Input(warmup, p.Value, settings.WarmupFolder));
                var asModel = reshapes?.ToModel(new OnnxTensors(inputs)) ?? (IReadOnlyDictionary<string, OnnxTensor>)inputs;
                for (var i = 0; i < Math.Max(1, warmup.Count); i++)
                {
                    session.Run(asModel);
                }
            }
            catch (Exception exception) when (exception is OnnxInputException or OnnxRuntimeException or IOException or ArgumentException or UnauthorizedAccessException)
            {
                throw new ModelRegistrationException([$"Model '{model}': warm-up '{warmup.Name}' failed: {exception.Message}"]);
            }
        }
    }

    private static OnnxTensor Input(OnnxWarmup warmup, OnnxWarmupInput input, string? folder)
    {
        long[] shape = warmup.BatchSize > 0 ? [warmup.BatchSize, .. input.Dimensions] : [.. input.Dimensions];
        if (shape.Any(d => d < 0))
        {
            throw new ArgumentException($"a warm-up input's dimensions must be fixed, not [{string.Join(", ", shape)}]");
        }

        var count = shape.Aggregate(1L, (a, b) => a * b);
        var data = TensorElementTypes.NewArray(input.ElementType, count);
        if (data is string[] strings)
        {
            Array.Fill(strings, string.Empty);
        }

        if (input.DataFile is { } file)
        {
            Fill(data, File.ReadAllBytes(folder is null ? file : Path.Combine(folder, file)), file);
        }
        else if (input.RandomData && data.GetType().GetElementType() is { IsPrimitive: true } type && type != typeof(bool))
        {
            var bytes = new byte[Buffer.ByteLength(data)];
            Random.Shared.NextBytes(bytes);
            Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
        }

        return OnnxTensor.FromNative(input.ElementType, shape, data);
    }

    private static void Fill(Array data, byte[] bytes, string file)
    {
        if (data is string[] strings)
        {
            var at = 0;
            for (var i = 0; i < strings.Length; i++)
            {
                if (at + 4 > bytes.Length || at + 4 + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)) > bytes.Length)
                {
                    throw new ArgumentException($"the data file '{file}' holds fewer than the {strings.Length} strings the input needs");
                }

                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
                strings[i] = Encoding.UTF8.GetString(bytes, at + 4, length);
                at += 4 + length;
            }

            return;
        }

        if (data.GetType().GetElementType() is not { IsPrimitive: true })
        {
            throw new ArgumentException($"a data file ('{file}') is read for numeric, boolean and string inputs only, not {data.GetType().GetElementType()!.Name}");
        }

        var needed = Buffer.ByteLength(data);
        if (bytes.Length < needed)
        {
            throw new ArgumentException($"the data file '{file}' holds {bytes.Length} bytes, and the input needs {needed}");
        }

        Buffer.BlockCopy(bytes, 0, data, 0, needed);
    }
}
