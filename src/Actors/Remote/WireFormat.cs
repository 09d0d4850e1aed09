using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ModelActors.Remote;

/// <summary>Writes the wire form of ModelActors' messages: little-endian integers, 7-bit-encoded lengths, UTF-8 strings.</summary>
internal sealed class WireWriter(int initialCapacity = 256)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(initialCapacity);

    public IBufferWriter<byte> Buffer => _buffer;

    public int Written => _buffer.WrittenCount;

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteLength(int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        WriteByte((byte)v);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteLength(count);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
    }

    /// <summary>
    /// Writes a length-prefixed block that <paramref name="write"/> fills (the block's length is known only after), through
    /// a scratch buffer of this thread's (taken while in use, so a nested write gets its own).
    /// </summary>
    public void WriteBlock<TState>(TState state, Action<IBufferWriter<byte>, TState> write)
    {
        var block = t_scratch ?? new ArrayBufferWriter<byte>();
        t_scratch = null;
        try
        {
            write(block, state);
            WriteLength(block.WrittenCount);
            _buffer.Write(block.WrittenSpan);
        }
        finally
        {
            if (block.Capacity <= MaxKeptScratch)
            {
                block.Clear();
                t_scratch = block; // a large value's buffer (a big tensor) is not kept by the thread
            }
        }
    }

    private const int MaxKeptScratch = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}

/// <summary>Reads what <see cref="WireWriter"/> wrote; a truncated or malformed message is a <see cref="FormatException"/>.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _data = data;

    /// <summary>The bytes not read yet.</summary>
    public readonly int Remaining => _data.Length;

    public byte ReadByte()
    {
        Need(1);
        var value = _data[0];
        _data = _data[1..];
        return value;
    }

    public int ReadLength()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value <= int.MaxValue ? (int)value : throw new FormatException("A length in a ModelActors message is out of range.");
            }
        }

        throw new FormatException("A length in a ModelActors message is malformed.");
    }

    public long ReadInt64()
    {
        Need(8);
        var value = BinaryPrimitives.ReadInt64LittleEndian(_data);
        _data = _data[8..];
        return value;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBlock());

    public ReadOnlySpan<byte> ReadBlock()
    {
        var length = ReadLength();
        Need(length);
        var block = _data[..length];
        _data = _data[length..];
        return block;
    }

    private readonly void Need(int count)
    {
        if (_data.Length < count)
        {
            throw new FormatException($"A ModelActors message ended early: {count} more bytes expected, {_data.Length} left.");
        }
    }
}
