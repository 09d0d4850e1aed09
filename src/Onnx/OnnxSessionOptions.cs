namespace ModelActors.Onnx;

/// <summary>How ONNX Runtime optimizes the graph before running it.</summary>
public enum GraphOptimizationLevel
{
    /// <summary>No optimization.</summary>
    DisableAll = 0,

    /// <summary>Basic graph optimizations (constant folding, redundant node removal).</summary>
    Basic = 1,

    /// <summary>Basic plus extended (fusions).</summary>
    Extended = 2,

    /// <summary>Everything, including layout optimizations. The default.</summary>
    All = 99,
}

/// <summary>Whether operators run one after another or, where the graph allows, in parallel.</summary>
public enum ExecutionMode
{
    /// <summary>One operator at a time (the default; inter-op threads are ignored).</summary>
    Sequential = 0,

    /// <summary>Independent branches in parallel on the inter-op pool.</summary>
    Parallel = 1,
}

/// <summary>Session settings, applied to the ONNX Runtime package's <c>SessionOptions</c> and validated first (the package validates none of them).</summary>
public sealed record OnnxSessionOptions
{
    /// <summary>Threads one operator may use. <value>The default value is 0: ONNX Runtime's choice (the core count).</value></summary>
    public int IntraOpNumThreads { get; init; }

    /// <summary>Threads for parallel operators (only with <see cref="ExecutionMode.Parallel"/>). <value>The default value is 0: ONNX Runtime's choice.</value></summary>
    public int InterOpNumThreads { get; init; }

    /// <summary>Graph optimizations. <value>The default value is <see cref="GraphOptimizationLevel.All"/>.</value></summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.All;

    /// <summary>Sequential or parallel execution. <value>The default value is <see cref="ExecutionMode.Sequential"/>.</value></summary>
    public ExecutionMode ExecutionMode { get; init; } = ExecutionMode.Sequential;

    /// <summary>
    /// Session configuration entries (the package's <c>AddSessionConfigEntry</c>), e.g.
    /// <c>session.intra_op.allow_spinning = 0</c> so that idle pool threads do not spin.
    /// <value>The default is none.</value>
    /// </summary>
    public IReadOnlyDictionary<string, string> ConfigEntries { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public override string ToString() =>
        $"intra={IntraOpNumThreads};inter={InterOpNumThreads};opt={GraphOptimizationLevel};mode={ExecutionMode};{string.Join(";", ConfigEntries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"))}";

    internal void Validate()
    {
        if (IntraOpNumThreads < 0 || InterOpNumThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), $"Thread counts must be 0 (default) or more (intra-op {IntraOpNumThreads}, inter-op {InterOpNumThreads}).");
        }

        if (!Enum.IsDefined(GraphOptimizationLevel) || !Enum.IsDefined(ExecutionMode))
        {
            throw new ArgumentOutOfRangeException(nameof(GraphOptimizationLevel), $"Unknown graph optimization level {GraphOptimizationLevel} or execution mode {ExecutionMode}.");
        }
    }
}
