using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Tests.Onnx;

/// <summary>
/// bfloat16 tensors hold ONNX Runtime's own <see cref="BFloat16"/>. What ModelActors relies on when it
/// converts (the v2 JSON reader and writer, padding values): rounding from float to the nearest, ties to
/// even (as ONNX Runtime's Cast does), exact conversion back, NaN kept NaN. Pinned here so that a package
/// update that changes it fails a test rather than a client's numbers.
/// </summary>
public sealed class BFloat16Tests
{
    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2f, 0xC000)]
    [InlineData(0f, 0x0000)]
    [InlineData(-0f, 0x8000)]
    [InlineData(1.00390625f, 0x3F80)] // exactly halfway between 0x3F80 and 0x3F81: ties to the even one
    [InlineData(1.01171875f, 0x3F82)] // halfway between 0x3F81 and 0x3F82: ties to the even one
    [InlineData(float.PositiveInfinity, 0x7F80)]
    [InlineData(float.MaxValue, 0x7F80)] // rounds past the largest bfloat16 to infinity
    [InlineData(1e-40f, 0x0001)] // a float subnormal rounds to the nearest bfloat16 subnormal
    public void FromFloat_RoundsToNearestEven(float value, int bits)
    {
        Assert.Equal((ushort)bits, ((BFloat16)value).value);
    }

    [Fact]
    public void FromFloat_JustAboveHalfway_RoundsUp()
    {
        Assert.Equal(0x3F81, ((BFloat16)BitConverter.UInt32BitsToSingle(0x3F808001)).value);
        Assert.Equal(0x3F80, ((BFloat16)BitConverter.UInt32BitsToSingle(0x3F807FFF)).value);
    }

    [Fact]
    public void ToFloat_IsExact_AndEveryNonNaNBitPatternRoundTrips()
    {
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = new BFloat16((ushort)bits);
            if (!BFloat16.IsNaN(value))
            {
                Assert.Equal((ushort)bits, ((BFloat16)(float)value).value);
            }
        }

        Assert.Equal(1.0078125f, (float)new BFloat16(0x3F81));
    }

    [Fact]
    public void NaN_StaysNaN()
    {
        Assert.True(BFloat16.IsNaN((BFloat16)float.NaN));
        Assert.True(BFloat16.IsNaN((BFloat16)BitConverter.UInt32BitsToSingle(0xFF800001))); // payload only in the low bits
        Assert.True(float.IsNaN((float)BFloat16.NaN));
    }
}
