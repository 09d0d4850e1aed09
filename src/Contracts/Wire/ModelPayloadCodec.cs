using System.Buffers;

namespace ModelActors;

/// <summary>
/// How one item or result type is written into the messages that cross nodes of a cluster (a <c>ModelRequest</c>'s
/// items, a <c>ModelReply</c>'s results). Types without one travel as System.Text.Json; name a codec for a type with
/// <see cref="ModelPayloadCodecAttribute"/> (ModelActors' own tensors travel as raw bytes this way).
/// </summary>
/// <typeparam name="T">The item or result type.</typeparam>
public abstract class ModelPayloadCodec<T>
{
    /// <summary>Writes <paramref name="value"/>.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="value">The value.</param>
    public abstract void Write(IBufferWriter<byte> output, T value);

    /// <summary>Reads a value written by <see cref="Write"/>.</summary>
    /// <param name="data">Exactly the bytes <see cref="Write"/> wrote.</param>
    /// <returns>The value.</returns>
    public abstract T Read(ReadOnlySpan<byte> data);
}

/// <summary>Names the <see cref="ModelPayloadCodec{T}"/> that writes the type it marks when it crosses nodes.</summary>
/// <param name="codecType">A class deriving from <see cref="ModelPayloadCodec{T}"/> of the marked type, with a public parameterless constructor.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, Inherited = false)]
public sealed class ModelPayloadCodecAttribute(Type codecType) : Attribute
{
    /// <summary>The codec's type.</summary>
    public Type CodecType { get; } = codecType ?? throw new ArgumentNullException(nameof(codecType));
}
