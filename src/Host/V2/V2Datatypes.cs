using ModelActors.Onnx;

namespace ModelActors.Host.V2;

/// <summary>The KServe v2 datatype names and the ONNX element types they stand for.</summary>
internal static class V2Datatypes
{
    private static readonly Dictionary<string, TensorElementType> ByName = new(StringComparer.Ordinal)
    {
        ["BOOL"] = TensorElementType.Bool,
        ["UINT8"] = TensorElementType.UInt8,
        ["UINT16"] = TensorElementType.UInt16,
        ["UINT32"] = TensorElementType.UInt32,
        ["UINT64"] = TensorElementType.UInt64,
        ["INT8"] = TensorElementType.Int8,
        ["INT16"] = TensorElementType.Int16,
        ["INT32"] = TensorElementType.Int32,
        ["INT64"] = TensorElementType.Int64,
        ["FP16"] = TensorElementType.Float16,
        ["FP32"] = TensorElementType.Float,
        ["FP64"] = TensorElementType.Double,
        ["BF16"] = TensorElementType.BFloat16,
        ["BYTES"] = TensorElementType.String,
    };

    private static readonly Dictionary<TensorElementType, string> ByType = ByName.ToDictionary(p => p.Value, p => p.Key);

    /// <summary>Every datatype name, for error messages.</summary>
    public static string Names { get; } = string.Join(", ", ByName.Keys);

    /// <summary>The element type of datatype <paramref name="name"/>.</summary>
    public static bool TryParse(string name, out TensorElementType type) => ByName.TryGetValue(name, out type);

    /// <summary>The v2 name of <paramref name="type"/>.</summary>
    public static string NameOf(TensorElementType type) => ByType.TryGetValue(type, out var name) ? name : type.ToString().ToUpperInvariant();
}
