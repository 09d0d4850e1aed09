using System.Buffers;
using ModelActors.Onnx;
using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Tests.Cluster;

/// <summary>Tensors cross nodes element for element, whatever their element type.</summary>
public sealed class OnnxTensorsCodecTests
{
    public static TheoryData<string, OnnxTensor> Tensors() => new()
    {
        { "float", OnnxTensor.Create(new[] { 1.5f, -0f, float.NaN, float.MaxValue, float.Epsilon, -3 }, 2, 3) },
        { "uint8", OnnxTensor.Create(new byte[] { 0, 1, 255 }, 3) },
        { "int8", OnnxTensor.Create(new sbyte[] { -128, 0, 127 }, 1, 3) },
        { "uint16", OnnxTensor.Create(new ushort[] { 0, 65535 }, 2) },
        { "int16", OnnxTensor.Create(new short[] { short.MinValue, short.MaxValue }, 2) },
        { "int32", OnnxTensor.Create(new[] { int.MinValue, 0, int.MaxValue, 42 }, 2, 2) },
        { "int64", OnnxTensor.Create(new[] { long.MinValue, long.MaxValue }, 2) },
        { "bool", OnnxTensor.Create(new[] { true, false, true }, 3) },
        { "float16", OnnxTensor.Create(new[] { (Half)1.5f, Half.NegativeInfinity, (Half)(-0.25f) }, 3) },
        { "double", OnnxTensor.Create(new[] { Math.PI, double.MinValue, -0.0 }, 3, 1) },
        { "uint32", OnnxTensor.Create(new[] { 0u, uint.MaxValue }, 2) },
        { "uint64", OnnxTensor.Create(new[] { 0ul, ulong.MaxValue }, 2) },
        { "bfloat16", OnnxTensor.Create(new[] { (BFloat16)1.5f, (BFloat16)(-2f) }, 2) },
        { "string", OnnxTensor.Create(new[] { "a", "", "ünïcødé ✓" }, 3) },
        { "bytes", OnnxTensor.FromBytes([[0xff, 0xfe], [], [0x41]], 3) },
        { "scalar", OnnxTensor.Scalar(7L) },
        { "empty", OnnxTensor.Create(Array.Empty<float>(), 0, 4) },
    };

    [Theory]
    [MemberData(nameof(Tensors))]
    public void Every_element_type_round_trips(string name, OnnxTensor tensor)
    {
        var codec = new OnnxTensorsCodec();
        var output = new ArrayBufferWriter<byte>();
        codec.Write(output, new OnnxTensors { [name] = tensor, ["other"] = OnnxTensor.Scalar(1f) });

        var back = codec.Read(output.WrittenSpan);

        Assert.Equal([name, "other"], back.Keys);
        Assert.Equal(tensor.ElementType, back[name].ElementType);
        Assert.Equal(tensor.Shape, back[name].Shape);
        Assert.Equal(tensor.Data.GetType(), back[name].Data.GetType());
        Assert.Equal(tensor.Data.Cast<object>(), back[name].Data.Cast<object>(), (a, b) => a is byte[] x ? x.SequenceEqual((byte[])b) : Equals(a, b));
    }

    [Fact]
    public void A_malformed_message_is_a_format_error_naming_the_tensor()
    {
        var codec = new OnnxTensorsCodec();
        var output = new ArrayBufferWriter<byte>();
        codec.Write(output, new OnnxTensors { ["x"] = OnnxTensor.Create(new[] { 1f, 2f }, 2) });
        var bytes = output.WrittenSpan.ToArray();

        Assert.Throws<FormatException>(() => codec.Read(bytes[..^3]));

        // The shape says 3 elements where 2 follow.
        var lying = (byte[])bytes.Clone();
        var shapeAt = bytes.Length - 8 - 4 - 8; // [dim int64][count int32][2 floats]
        lying[shapeAt] = 3;
        var error = Assert.Throws<FormatException>(() => codec.Read(lying));
        Assert.Contains("'x'", error.Message, StringComparison.Ordinal);

        // A shape whose product overflows to the count given, and a count far beyond the bytes left.
        var overflow = new ArrayBufferWriter<byte>();
        overflow.Write<byte>([1, 1, 0, 0, 0, 1, 0, 0, 0, (byte)'x', (byte)TensorElementType.Float, 2, 0, 0, 0]);
        overflow.Write(BitConverter.GetBytes(1L << 32));
        overflow.Write(BitConverter.GetBytes(1L << 32));
        overflow.Write(BitConverter.GetBytes(0));
        Assert.Throws<FormatException>(() => codec.Read(overflow.WrittenSpan));

        var huge = new ArrayBufferWriter<byte>();
        huge.Write<byte>([1, 1, 0, 0, 0, 1, 0, 0, 0, (byte)'x', (byte)TensorElementType.Float, 1, 0, 0, 0]);
        huge.Write(BitConverter.GetBytes((long)int.MaxValue));
        huge.Write(BitConverter.GetBytes(int.MaxValue));
        Assert.Contains("elements of tensor 'x'", Assert.Throws<FormatException>(() => codec.Read(huge.WrittenSpan)).Message, StringComparison.Ordinal);
    }
}
