namespace ModelActors.Remote;

/// <summary>The wire form of the requests and replies of one item or result type (the serializer keeps one per type).</summary>
internal interface IMessageCodec
{
    byte[] Write(object message);

    object ReadRequest(ReadOnlySpan<byte> data);

    object ReadReply(ReadOnlySpan<byte> data);
}

/// <summary>
/// <see cref="ModelRequest{TItem}"/> and <see cref="ModelReply{TResult}"/> of <typeparamref name="T"/>: a version byte, then
/// (a request) its timeout in ticks or −1, then the count of values and each value as a length-prefixed block its
/// <see cref="ModelPayloadCodec{T}"/> wrote. A request's cancellation token stays on its node.
/// </summary>
internal sealed class MessageCodec<T> : IMessageCodec
{
    private const byte Version = 1;
    private readonly ModelPayloadCodec<T> _codec = PayloadCodecs.For<T>();

    public byte[] Write(object message)
    {
        var writer = new WireWriter();
        writer.WriteByte(Version);
        switch (message)
        {
            case ModelRequest<T> request:
                writer.WriteInt64(request.Timeout is { } timeout ? timeout.Ticks : -1);
                WriteValues(writer, request.Items ?? []);
                break;
            case ModelReply<T> reply:
                WriteValues(writer, reply.Results);
                break;
            default:
                throw new ArgumentException($"{message.GetType()} is not a request or reply of {typeof(T)}.", nameof(message));
        }

        return writer.ToArray();
    }

    public object ReadRequest(ReadOnlySpan<byte> data)
    {
        var reader = Open(data);
        var ticks = reader.ReadInt64();
        var items = ReadValues(ref reader);
        return new ModelRequest<T>(items) { Timeout = ticks < 0 ? null : TimeSpan.FromTicks(ticks) };
    }

    public object ReadReply(ReadOnlySpan<byte> data)
    {
        var reader = Open(data);
        return new ModelReply<T>(ReadValues(ref reader));
    }

    private static WireReader Open(ReadOnlySpan<byte> data)
    {
        var reader = new WireReader(data);
        var version = reader.ReadByte();
        return version == Version ? reader : throw new FormatException($"A ModelActors message of version {version} arrived; this node reads version {Version}.");
    }

    private void WriteValues(WireWriter writer, IReadOnlyList<T> values)
    {
        writer.WriteLength(values.Count);
        foreach (var value in values)
        {
            writer.WriteBlock((Codec: _codec, Value: value), static (output, s) => s.Codec.Write(output, s.Value));
        }
    }

    private T[] ReadValues(ref WireReader reader)
    {
        // Each value takes at least its length prefix: a count beyond the bytes left is a broken (or hostile) message.
        var count = reader.ReadLength();
        if (count > reader.Remaining)
        {
            throw new FormatException($"A ModelActors message claims {count} values in {reader.Remaining} bytes.");
        }

        var values = new T[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = _codec.Read(reader.ReadBlock());
        }

        return values;
    }
}
