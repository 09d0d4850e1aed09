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
        : type == typeof(string) ? TensorElementType.String
        : type == typeof(bool) ? TensorElementType.Bool
        : type == typeof(Half) ? TensorElementType.Float16
        : type == typeof(double) ? TensorElementType.Double
        : type == typeof(uint) ? TensorElementType.UInt32
        : type == typeof(ulong) ? TensorElementType.UInt64
        : throw new NotSupportedException($"Element type {type.Name} has no ONNX tensor element type.");

    public static bool IsSupported(int type) => type is >= 1 and <= 13;

    /// <summary>An array of <paramref name="count"/> elements whose contents are undefined (not zeroed): only for arrays the caller overwrites entirely.</summary>
    public static Array NewFilledLater(TensorElementType type, long count) => type switch
    {
        TensorElementType.Float => GC.AllocateUninitializedArray<float>(checked((int)count)),
        TensorElementType.UInt8 => GC.AllocateUninitializedArray<byte>(checked((int)count)),
        TensorElementType.Int8 => GC.AllocateUninitializedArray<sbyte>(checked((int)count)),
        TensorElementType.UInt16 => GC.AllocateUninitializedArray<ushort>(checked((int)count)),
        TensorElementType.Int16 => GC.AllocateUninitializedArray<short>(checked((int)count)),
        TensorElementType.Int32 => GC.AllocateUninitializedArray<int>(checked((int)count)),
        TensorElementType.Int64 => GC.AllocateUninitializedArray<long>(checked((int)count)),
        TensorElementType.Bool => GC.AllocateUninitializedArray<bool>(checked((int)count)),
        TensorElementType.Float16 => GC.AllocateUninitializedArray<Half>(checked((int)count)),
        TensorElementType.Double => GC.AllocateUninitializedArray<double>(checked((int)count)),
        TensorElementType.UInt32 => GC.AllocateUninitializedArray<uint>(checked((int)count)),
        TensorElementType.UInt64 => GC.AllocateUninitializedArray<ulong>(checked((int)count)),
        _ => NewArray(type, count),
    };

    /// <summary>A new, zeroed array of <paramref name="count"/> elements of <paramref name="type"/> (typed allocation, no reflection).</summary>
    public static Array NewArray(TensorElementType type, long count) => type switch
    {
        TensorElementType.Float => new float[count],
        TensorElementType.UInt8 => new byte[count],
        TensorElementType.Int8 => new sbyte[count],
        TensorElementType.UInt16 => new ushort[count],
        TensorElementType.Int16 => new short[count],
        TensorElementType.Int32 => new int[count],
        TensorElementType.Int64 => new long[count],
        TensorElementType.String => new string[count],
        TensorElementType.Bool => new bool[count],
        TensorElementType.Float16 => new Half[count],
        TensorElementType.Double => new double[count],
        TensorElementType.UInt32 => new uint[count],
        TensorElementType.UInt64 => new ulong[count],
        _ => throw new NotSupportedException($"Tensor element type {type} ({(int)type}) is not supported."),
    };
}
