namespace ModelActors.Onnx;

/// <summary>
/// A warm-up run an <see cref="OnnxModel"/> makes when it loads, before it is ready (Triton's <c>model_warmup</c>): the
/// first requests then do not pay for ONNX Runtime's lazy allocations. A failed warm-up is a load error naming it.
/// </summary>
public sealed class OnnxWarmup
{
    /// <summary>The warm-up's name, for errors and logs.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Rows per run: each input's dimensions get this leading batch axis when it is above 0. <value>The default value is 0 (no batch axis added).</value></summary>
    public int BatchSize { get; set; }

    /// <summary>How many times it runs. <value>The default value is 1.</value></summary>
    public int Count { get; set; } = 1;

    /// <summary>The inputs, by name.</summary>
    public Dictionary<string, OnnxWarmupInput> Inputs { get; set; } = [];
}

/// <summary>One input of an <see cref="OnnxWarmup"/>.</summary>
public sealed class OnnxWarmupInput
{
    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; set; }

    /// <summary>The dimensions (without the batch axis <see cref="OnnxWarmup.BatchSize"/> adds).</summary>
    public List<long> Dimensions { get; set; } = [];

    /// <summary>Random elements instead of zeros (strings stay empty, booleans false). <value>The default value is false.</value></summary>
    public bool RandomData { get; set; }

    /// <summary>
    /// A file holding the elements, raw little-endian (strings as a 4-byte little-endian length, then the bytes, as
    /// Triton writes them); relative paths are read from <see cref="OnnxModelSettings.WarmupFolder"/>.
    /// <value>The default is none (zeros or random data).</value>
    /// </summary>
    public string? DataFile { get; set; }
}
