using ModelActors.Host.Triton.Config;
using ModelActors.Onnx;

namespace ModelActors.Host.Triton;

/// <summary>Triton's data types and the ONNX element types they are, both ways, from one table.</summary>
internal static class TritonDataTypes
{
    private static readonly (DataType Triton, TensorElementType Onnx)[] Pairs =
    [
        (DataType.TypeBool, TensorElementType.Bool), (DataType.TypeUint8, TensorElementType.UInt8),
        (DataType.TypeUint16, TensorElementType.UInt16), (DataType.TypeUint32, TensorElementType.UInt32),
        (DataType.TypeUint64, TensorElementType.UInt64), (DataType.TypeInt8, TensorElementType.Int8),
        (DataType.TypeInt16, TensorElementType.Int16), (DataType.TypeInt32, TensorElementType.Int32),
        (DataType.TypeInt64, TensorElementType.Int64), (DataType.TypeFp16, TensorElementType.Float16),
        (DataType.TypeFp32, TensorElementType.Float), (DataType.TypeFp64, TensorElementType.Double),
        (DataType.TypeString, TensorElementType.String), (DataType.TypeBf16, TensorElementType.BFloat16),
    ];

    /// <summary>The element type of <paramref name="type"/>, or null for TYPE_INVALID.</summary>
    public static TensorElementType? ElementType(DataType type) => Pairs.FirstOrDefault(p => p.Triton == type) is { Triton: not DataType.TypeInvalid } p ? p.Onnx : null;

    /// <summary>The Triton data type of <paramref name="type"/> (TYPE_INVALID for one Triton has not).</summary>
    public static DataType TritonType(TensorElementType type) => Pairs.FirstOrDefault(p => p.Onnx == type).Triton;
}
