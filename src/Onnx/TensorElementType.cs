using BFloat16 = Microsoft.ML.OnnxRuntime.BFloat16;

namespace ModelActors.Onnx;

/// <summary>Tensor element types, numbered as ONNX Runtime's C API (equal to ONNX's TensorProto numbers up to 23).</summary>
public enum TensorElementType
{
    /// <summary>Unknown.</summary>
    Undefined = 0,

    /// <summary>32-bit float (<see cref="float"/>).</summary>
    Float = 1,

    /// <summary>8-bit unsigned (<see cref="byte"/>).</summary>
    UInt8 = 2,

    /// <summary>8-bit signed (<see cref="sbyte"/>).</summary>
    Int8 = 3,

    /// <summary>16-bit unsigned (<see cref="ushort"/>).</summary>
    UInt16 = 4,

    /// <summary>16-bit signed (<see cref="short"/>).</summary>
    Int16 = 5,

    /// <summary>32-bit signed (<see cref="int"/>).</summary>
    Int32 = 6,

    /// <summary>64-bit signed (<see cref="long"/>).</summary>
    Int64 = 7,

    /// <summary>UTF-8 strings (<see cref="string"/>).</summary>
    String = 8,

    /// <summary>Booleans, one byte each (<see cref="bool"/>).</summary>
    Bool = 9,

    /// <summary>16-bit float (<see cref="Half"/>).</summary>
    Float16 = 10,

    /// <summary>64-bit float (<see cref="double"/>).</summary>
    Double = 11,

    /// <summary>32-bit unsigned (<see cref="uint"/>).</summary>
    UInt32 = 12,

    /// <summary>64-bit unsigned (<see cref="ulong"/>).</summary>
    UInt64 = 13,

    /// <summary>bfloat16: the upper half of a 32-bit float (ONNX Runtime's <see cref="Microsoft.ML.OnnxRuntime.BFloat16"/>).</summary>
    BFloat16 = 16,
}

/// <summary>The .NET types of the supported element types.</summary>
internal static class TensorElementTypes
{
    public static TensorElementType FromClrType(Type type) =>
        type == typeof(float) ? TensorElementType.Float
        : type == typeof(byte) ? TensorElementType.UInt8
        : type == typeof(sbyte) ? TensorElementType.Int8
        : type == typeof(ushort) ? TensorElementType.UInt16
        : type == typeof(short) ? TensorElementType.Int16
        : type == typeof(int) ? TensorElementType.Int32
        : type == typeof(long) ? TensorElementType.Int64
        : type == typeof(string) || type == typeof(byte[]) ? TensorElementType.String
        : type == typeof(bool) ? TensorElementType.Bool
        : type == typeof(Half) ? TensorElementType.Float16
        : type == typeof(double) ? TensorElementType.Double
        : type == typeof(uint) ? TensorElementType.UInt32
        : type == typeof(ulong) ? TensorElementType.UInt64
        : type == typeof(BFloat16) ? TensorElementType.BFloat16
        : throw new NotSupportedException($"Element type {type.Name} has no ONNX tensor element type.");

    /// <summary>Every named element type but Undefined has a .NET array type (see <see cref="NewArray"/>).</summary>
    public static bool IsSupported(int type) => type != (int)TensorElementType.Undefined && Enum.IsDefined((TensorElementType)type);

    /// <summary>A new array of <paramref name="count"/> elements of <paramref name="type"/> (typed allocation, no reflection).</summary>
    /// <param name="type">The element type.</param>
    /// <param name="count">The number of elements.</param>
    /// <param name="filledLater">True when the caller overwrites every element: the array is then not zeroed first.</param>
    public static Array NewArray(TensorElementType type, long count, bool filledLater = false) => type switch
    {
        TensorElementType.Float => New<float>(count, filledLater),
        TensorElementType.UInt8 => New<byte>(count, filledLater),
        TensorElementType.Int8 => New<sbyte>(count, filledLater),
        TensorElementType.UInt16 => New<ushort>(count, filledLater),
        TensorElementType.Int16 => New<short>(count, filledLater),
        TensorElementType.Int32 => New<int>(count, filledLater),
        TensorElementType.Int64 => New<long>(count, filledLater),
        TensorElementType.String => new string[count],
        TensorElementType.Bool => New<bool>(count, filledLater),
        TensorElementType.Float16 => New<Half>(count, filledLater),
        TensorElementType.Double => New<double>(count, filledLater),
        TensorElementType.UInt32 => New<uint>(count, filledLater),
        TensorElementType.UInt64 => New<ulong>(count, filledLater),
        TensorElementType.BFloat16 => New<BFloat16>(count, filledLater),
        _ => throw new NotSupportedException($"Tensor element type {type} ({(int)type}) is not supported."),
    };

    private static T[] New<T>(long count, bool filledLater) =>
        filledLater ? GC.AllocateUninitializedArray<T>(checked((int)count)) : new T[count];
}
