using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace ModelActors.Remote;

/// <summary>The <see cref="ModelPayloadCodec{T}"/> of each item and result type: the one its <see cref="ModelPayloadCodecAttribute"/> names, else JSON.</summary>
internal static class PayloadCodecs
{
    private static readonly ConcurrentDictionary<Type, object> Codecs = new();

    /// <summary>The codec of <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">The attribute names a type that is not a codec of <typeparamref name="T"/>.</exception>
    public static ModelPayloadCodec<T> For<T>() => (ModelPayloadCodec<T>)Codecs.GetOrAdd(typeof(T), static _ => Create<T>());

    private static ModelPayloadCodec<T> Create<T>()
    {
        if (typeof(T).GetCustomAttribute<ModelPayloadCodecAttribute>() is not { } attribute)
        {
            return new JsonPayloadCodec<T>();
        }

        if (!typeof(ModelPayloadCodec<T>).IsAssignableFrom(attribute.CodecType) || attribute.CodecType.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new InvalidOperationException(
                $"Type {typeof(T).FullName} names {attribute.CodecType.FullName} as its ModelPayloadCodec, which is not a ModelPayloadCodec<{typeof(T).Name}> with a public parameterless constructor.");
        }

        return (ModelPayloadCodec<T>)Activator.CreateInstance(attribute.CodecType)!;
    }
}

/// <summary>The default codec: System.Text.Json with its defaults, public fields included (records, tuples).</summary>
internal sealed class JsonPayloadCodec<T> : ModelPayloadCodec<T>
{
    private static readonly JsonSerializerOptions Options = new() { IncludeFields = true };

    public override void Write(IBufferWriter<byte> output, T value)
    {
        using var writer = new Utf8JsonWriter(output);
        JsonSerializer.Serialize(writer, value, Options);
    }

    public override T Read(ReadOnlySpan<byte> data) => JsonSerializer.Deserialize<T>(data, Options)!;
}
