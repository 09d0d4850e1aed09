namespace ModelActors.Onnx;

/// <summary>An <see cref="OnnxModel"/>'s settings (the configuration's <c>Settings</c>); the model file is the configuration's asset path unless <see cref="Path"/> is set.</summary>
public sealed class OnnxModelSettings
{
    /// <summary>The .onnx file. <value>The default is the configuration's <c>AssetPath</c>.</value></summary>
    public string? Path { get; set; }

    /// <summary>Threads one operator may use. <value>The default value is 0 (ONNX Runtime's choice).</value></summary>
    public int IntraOpNumThreads { get; set; }

    /// <summary>Threads for parallel operators. <value>The default value is 0.</value></summary>
    public int InterOpNumThreads { get; set; }

    /// <summary>Graph optimizations. <value>The default value is <see cref="Onnx.GraphOptimizationLevel.All"/>.</value></summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    /// <summary>Sequential or parallel execution. <value>The default value is <see cref="Onnx.ExecutionMode.Sequential"/>.</value></summary>
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Sequential;

    /// <summary>Session configuration entries, e.g. <c>session.intra_op.allow_spinning: "0"</c>. <value>The default is none.</value></summary>
    public Dictionary<string, string> ConfigEntries { get; set; } = [];

    /// <summary>The axis each input is batched along, by input name (e.g. <c>state: 1</c> for a recurrent state). <value>The default is 0 for every input.</value></summary>
    public Dictionary<string, int> BatchAxes { get; set; } = [];

    /// <summary>The axis each output is split along, by output name. <value>The default is 0 for every output.</value></summary>
    public Dictionary<string, int> OutputBatchAxes { get; set; } = [];

    /// <summary>Inputs that are not batched (e.g. a scalar sample rate): every item of a batch must give the same value, which is passed once.</summary>
    public List<string> SharedInputs { get; set; } = [];

    /// <summary>
    /// The most rows one request may carry along each batched input's batch axis; a request with more is refused before
    /// it is queued, naming the input (Triton's <c>max_batch_size</c>, which a repository's <c>config.pbtxt</c> sets).
    /// <value>The default is 0 (no limit).</value>
    /// </summary>
    public int MaxItemRows { get; set; }

    /// <summary>Inputs of unequal length that are padded, with the given value, to the longest item of the batch along every non-batch axis.</summary>
    public Dictionary<string, double> PadInputs { get; set; } = [];

    /// <summary>
    /// How many of the model's replicas may be inside ONNX Runtime's Run at once; 0 for no limit. With
    /// <c>Replicas: 2</c> and <c>ConcurrentRuns: 1</c>, one replica checks and concatenates its next batch, or
    /// splits and delivers its last one, while the other runs: the session's threads never compete with a
    /// second run, and the batch work stays off the run's critical path.
    /// <value>The default value is 0 (no limit: replicas run concurrently on the shared session).</value>
    /// </summary>
    public int ConcurrentRuns { get; set; }

    /// <summary>Inputs the configuration declares, checked against the ONNX file at load (a mismatch is a load error naming both). <value>The default is none (nothing checked).</value></summary>
    public List<TensorDeclaration> Inputs { get; set; } = [];

    /// <summary>Outputs the configuration declares, checked against the ONNX file at load. <value>The default is none.</value></summary>
    public List<TensorDeclaration> Outputs { get; set; } = [];

    /// <summary>Runs made at load, before the model is ready. <value>The default is none.</value></summary>
    public List<OnnxWarmup> Warmup { get; set; } = [];

    /// <summary>Where relative <see cref="OnnxWarmupInput.DataFile"/> paths are read from. <value>The default is the working directory.</value></summary>
    public string? WarmupFolder { get; set; }

    internal OnnxSessionOptions SessionOptions => new()
    {
        IntraOpNumThreads = IntraOpNumThreads,
        InterOpNumThreads = InterOpNumThreads,
        GraphOptimizationLevel = GraphOptimizationLevel,
        ExecutionMode = ExecutionMode,
        ConfigEntries = ConfigEntries,
    };
}
