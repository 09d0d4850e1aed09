namespace ModelActors.Onnx;

/// <summary>
/// An optional value (ONNX's <c>optional(...)</c>): a tensor, a sequence of tensors, or nothing. An input
/// declared optional also accepts the tensor or sequence itself; <see cref="None"/> leaves it out of the run.
/// Outputs declared optional come back as this type.
/// </summary>
public sealed class OnnxOptional : OnnxValue
{
    private OnnxOptional(OnnxValue? value) => Value = value;

    /// <summary>An optional without a value.</summary>
    public static OnnxOptional None { get; } = new(null);

    /// <inheritdoc />
    public override OnnxValueKind Kind => OnnxValueKind.Optional;

    /// <summary>The value (a tensor or a sequence), or null.</summary>
    public OnnxValue? Value { get; }

    /// <summary>Whether there is a value.</summary>
    public bool HasValue => Value is not null;

    /// <summary>An optional holding <paramref name="value"/>.</summary>
    /// <param name="value">A tensor or a sequence.</param>
    /// <returns>The optional.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is itself an optional.</exception>
    public static OnnxOptional Of(OnnxValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value is OnnxOptional
            ? throw new ArgumentException("An optional holds a tensor or a sequence, not another optional.", nameof(value))
            : new OnnxOptional(value);
    }

    /// <inheritdoc />
    public override string ToString() => Value is null ? "none" : $"optional({Value})";
}
