using ModelActors.Onnx;

namespace ModelActors.Tests.Onnx;

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
        Assert.Equal((ushort)bits, ((BFloat16)value).Bits);
    }

    [Fact]
    public void FromFloat_JustAboveHalfway_RoundsUp()
    {
        Assert.Equal(0x3F81, ((BFloat16)BitConverter.UInt32BitsToSingle(0x3F808001)).Bits);
        Assert.Equal(0x3F80, ((BFloat16)BitConverter.UInt32BitsToSingle(0x3F807FFF)).Bits);
    }

    [Fact]
    public void ToFloat_IsExact_AndEveryNonNaNBitPatternRoundTrips()
    {
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = BFloat16.FromBits((ushort)bits);
            if (!value.IsNaN)
            {
                Assert.Equal((ushort)bits, ((BFloat16)(float)value).Bits);
            }
        }

        Assert.Equal(1.0078125f, (float)BFloat16.FromBits(0x3F81));
    }

    [Fact]
    public void NaN_StaysNaN_KeepingItsSign_AndFollowsHalfsEqualityRules()
    {
        var nan = (BFloat16)float.NaN;
        var negativeNaN = (BFloat16)BitConverter.UInt32BitsToSingle(0xFF800001); // payload only in the low bits

        Assert.True(nan.IsNaN);
        Assert.True(negativeNaN.IsNaN);
        Assert.Equal(0x8000, negativeNaN.Bits & 0x8000);
        var sameNaN = nan;
        Assert.False(nan == sameNaN);
        Assert.True(nan.Equals(negativeNaN));
        Assert.Equal(nan.GetHashCode(), negativeNaN.GetHashCode());
        Assert.True((BFloat16)0f == (BFloat16)(-0f));
        Assert.Equal(((BFloat16)0f).GetHashCode(), ((BFloat16)(-0f)).GetHashCode());
        Assert.True((BFloat16)1f < (BFloat16)2f);
        Assert.False(nan < (BFloat16)2f);
        Assert.Equal(-1, nan.CompareTo((BFloat16)0f));
        Assert.Equal("1.5", ((BFloat16)1.5f).ToString());
    }
}
