using System.Globalization;

namespace ModelActors.Onnx;

/// <summary>
/// A bfloat16 ("brain float") value: the upper 16 bits of an IEEE 754 single (sign, 8 exponent bits,
/// 7 mantissa bits), the element type of <see cref="TensorElementType.BFloat16"/> tensors. .NET has no
/// such type, so tensors of it hold arrays of this struct, which has the same 2-byte layout ONNX Runtime uses.
/// </summary>
/// <remarks>
/// Converting from <see cref="float"/> rounds to the nearest representable value, ties to even (as ONNX
/// Runtime's Cast does); NaN stays NaN. Converting to <see cref="float"/> is exact. Equality follows IEEE
/// rules for the operators (NaN differs from everything, +0 equals −0) and <see cref="Half"/>'s for
/// <see cref="Equals(BFloat16)"/> (NaN equals NaN), so values work as dictionary keys. Kept rather than
/// the ONNX Runtime package's <c>BFloat16</c>, which loses a NaN's sign when converting, says +0 ≠ −0 and
/// prints its bits: tensors of this struct reach ONNX Runtime as the same two bytes either way.
/// </remarks>
/// <param name="bits">The raw 16 bits.</param>
public readonly struct BFloat16(ushort bits) : IEquatable<BFloat16>, IComparable<BFloat16>
{
    /// <summary>The raw 16 bits.</summary>
    public ushort Bits { get; } = bits;

    /// <summary>Whether the value is NaN.</summary>
    public bool IsNaN => (Bits & 0x7FFF) > 0x7F80;

    /// <summary>Rounds <paramref name="value"/> to the nearest bfloat16, ties to even.</summary>
    /// <param name="value">The value.</param>
    public static explicit operator BFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            // Keep the sign and the top of the payload; make sure it stays a (quiet) NaN after truncation.
            return new BFloat16((ushort)((bits >> 16) | 0x0040));
        }

        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return new BFloat16((ushort)((bits + roundingBias) >> 16));
    }

    /// <summary>The exact <see cref="float"/> value.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

    /// <summary>IEEE equality: NaN equals nothing, +0 equals −0.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    public static bool operator ==(BFloat16 left, BFloat16 right) => (float)left == (float)right;

    /// <summary>IEEE inequality.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    public static bool operator !=(BFloat16 left, BFloat16 right) => !(left == right);

    /// <summary>Whether <paramref name="left"/> is less than <paramref name="right"/> (false when either is NaN).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    public static bool operator <(BFloat16 left, BFloat16 right) => (float)left < (float)right;

    /// <summary>Whether <paramref name="left"/> is greater than <paramref name="right"/> (false when either is NaN).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    public static bool operator >(BFloat16 left, BFloat16 right) => (float)left > (float)right;

    /// <summary>Whether <paramref name="left"/> is at most <paramref name="right"/> (false when either is NaN).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    public static bool operator <=(BFloat16 left, BFloat16 right) => (float)left <= (float)right;

    /// <summary>Whether <paramref name="left"/> is at least <paramref name="right"/> (false when either is NaN).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    public static bool operator >=(BFloat16 left, BFloat16 right) => (float)left >= (float)right;

    /// <summary>The value with the given raw bits.</summary>
    /// <param name="bits">The raw 16 bits.</param>
    /// <returns>The value.</returns>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Rounds <paramref name="value"/> to the nearest bfloat16, ties to even.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The value.</returns>
    public static BFloat16 FromSingle(float value) => (BFloat16)value;

    /// <summary>The exact <see cref="float"/> value.</summary>
    /// <returns>The value.</returns>
    public float ToSingle() => this;

    /// <summary>Equal values, or both NaN.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(BFloat16 other) => this == other || (IsNaN && other.IsNaN);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => IsNaN ? 0x7FC0 : ((float)this).GetHashCode();

    /// <summary>Orders as <see cref="float.CompareTo(float)"/> does (NaN first).</summary>
    /// <param name="other">The other value.</param>
    /// <returns>Negative, zero or positive.</returns>
    public int CompareTo(BFloat16 other) => ((float)this).CompareTo(other);

    /// <inheritdoc />
    public override string ToString() => ((float)this).ToString(CultureInfo.InvariantCulture);
}
