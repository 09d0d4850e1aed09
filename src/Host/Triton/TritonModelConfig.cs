using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ModelActors.Host.Triton.Config;

namespace ModelActors.Host.Triton;

/// <summary>
/// A Triton <c>config.pbtxt</c> read (<see cref="ProtobufTextFormat"/> on Triton's <c>ModelConfig</c>) and turned into a
/// model's configuration keys: <c>instance_group</c> counts → <c>Replicas</c>; <c>max_batch_size</c> with
/// <c>dynamic_batching</c> → <c>MaxBatchSize</c> and <c>MaxDelay</c>; <c>default_queue_policy</c> →
/// <c>QueueCapacity</c> and <c>Timeout</c>; <c>input</c>/<c>output</c> → declarations checked against the ONNX file;
/// <c>model_warmup</c> → warm-up runs; ONNX Runtime's thread <c>parameters</c> → session options. What is set and not
/// served is named in <see cref="Notes"/> for the load log.
/// </summary>
internal sealed class TritonModelConfig
{
    /// <summary>Below this, a batching delay is not waited for (Akka's scheduler ticks every 10 ms, so a shorter timer would cost a lone request 10 ms): batches form from what is queued whenever a replica is free.</summary>
    public static readonly TimeSpan SchedulerTick = TimeSpan.FromMilliseconds(10);

    /// <summary>Fields this server serves (a path, or a prefix ending in '.'); any other field set is named in the load log.</summary>
    private static readonly string[] Served =
    [
        "name", "platform", "backend", "max_batch_size", "default_model_filename", "version_policy.",
        "input.name", "input.data_type", "input.dims", "input.reshape.", "output.name", "output.data_type", "output.dims", "output.reshape.",
        "instance_group.name", "instance_group.count", "instance_group.kind",
        "dynamic_batching.max_queue_delay_microseconds", "dynamic_batching.default_queue_policy.max_queue_size",
        "dynamic_batching.default_queue_policy.default_timeout_microseconds", "dynamic_batching.default_queue_policy.timeout_action",
        "model_warmup.", "ensemble_scheduling.step.", "parameters",
    ];

    /// <summary>ONNX Runtime backend parameters this server maps (to <c>OnnxModelSettings</c>).</summary>
    private static readonly Dictionary<string, string> Parameters = new(StringComparer.Ordinal)
    {
        ["intra_op_thread_count"] = "IntraOpNumThreads",
        ["inter_op_thread_count"] = "InterOpNumThreads",
    };

    /// <summary>A configuration read elsewhere (a load request's).</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="path">What messages name it by.</param>
    public TritonModelConfig(ModelConfig config, string path)
    {
        Config = config;
        Path = path;
    }

    /// <summary>The configuration as read.</summary>
    public ModelConfig Config { get; }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>True for <c>platform: "ensemble"</c>.</summary>
    public bool IsEnsemble => Config.Platform == "ensemble";

    /// <summary>The file each version folder holds (<c>default_model_filename</c>, else <c>model.onnx</c>).</summary>
    public string ModelFileName => Config.DefaultModelFilename is { Length: > 0 } name ? name : "model.onnx";

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">The file is not a valid ModelConfig; the message names the place and the field.</exception>
    public static TritonModelConfig Read(string path) => new(ProtobufTextFormat.Parse<ModelConfig>(File.ReadAllText(path), path), path);

    /// <summary>Why the configuration cannot be served for model <paramref name="folderName"/> (wrong name, platform, GPU), or null.</summary>
    public string? Refusal(string folderName)
    {
        if (Config.Name is { Length: > 0 } name && name != folderName)
        {
            return $"{Path}: the configuration names model '{name}', but its folder is '{folderName}' (they must be equal, as in Triton).";
        }

        var platform = Config.Platform;
        var backend = Config.Backend;
        if (!(platform is "" or "onnxruntime_onnx" or "ensemble") || !(backend is "" or "onnxruntime") || (platform == "ensemble" && backend.Length > 0))
        {
            return $"{Path}: model '{folderName}' is for {(platform.Length > 0 ? $"platform '{platform}'" : string.Empty)}{(platform.Length > 0 && backend.Length > 0 ? " and " : string.Empty)}{(backend.Length > 0 ? $"backend '{backend}'" : string.Empty)}, which this server does not run: it runs ONNX models on ONNX Runtime (platform 'onnxruntime_onnx', backend 'onnxruntime') and ensembles (platform 'ensemble').";
        }

        if (Config.InstanceGroup.FirstOrDefault(g => g.Kind == ModelInstanceGroup.Types.Kind.Gpu) is { } gpu)
        {
            return $"{Path}: model '{folderName}' asks for instance_group {{ kind: KIND_GPU }}{(gpu.Name.Length > 0 ? $" ('{gpu.Name}')" : string.Empty)}, and this server runs models on the CPU only (no GPU execution provider is configured): use KIND_CPU.";
        }

        return null;
    }

    /// <summary>The versions the <c>version_policy</c> selects from <paramref name="available"/> (default: the newest one, as Triton's).</summary>
    public IReadOnlyList<long> SelectVersions(IReadOnlyList<long> available)
    {
        var newestFirst = available.OrderDescending().ToList();
        return Config.VersionPolicy?.PolicyChoiceCase switch
        {
            ModelVersionPolicy.PolicyChoiceOneofCase.All => newestFirst,
            ModelVersionPolicy.PolicyChoiceOneofCase.Specific => [.. newestFirst.Where(Config.VersionPolicy.Specific.Versions.Contains)],
            ModelVersionPolicy.PolicyChoiceOneofCase.Latest => [.. newestFirst.Take((int)Math.Max(1, Config.VersionPolicy.Latest.NumVersions))],
            _ => [.. newestFirst.Take(1)],
        };
    }

    /// <summary>The configuration keys (relative to the model's section) of one ONNX version of the model.</summary>
    /// <param name="folder">The model's folder (warm-up data files are read from its <c>warmup</c> folder, as Triton's).</param>
    public Dictionary<string, string?> Settings(string folder)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var batched = Config.MaxBatchSize > 0;
        if (batched)
        {
            settings["Settings:MaxItemRows"] = Invariant(Config.MaxBatchSize); // as Triton: a request's batch dimension is at most max_batch_size
        }
        if (Config.InstanceGroup.Count > 0)
        {
            settings["Replicas"] = Invariant(Config.InstanceGroup.Sum(g => Math.Max(1, g.Count)));
        }

        if (batched && Config.DynamicBatching is { } batching)
        {
            settings["MaxBatchSize"] = Invariant(Config.MaxBatchSize);
            var delay = TimeSpan.FromMicroseconds(batching.MaxQueueDelayMicroseconds);
            settings["MaxDelay"] = (delay < SchedulerTick ? TimeSpan.Zero : delay).ToString("c", CultureInfo.InvariantCulture);
            if (batching.DefaultQueuePolicy is { } queue)
            {
                if (queue.MaxQueueSize > 0)
                {
                    settings["QueueCapacity"] = Invariant(queue.MaxQueueSize);
                }

                if (queue.DefaultTimeoutMicroseconds > 0)
                {
                    settings["Timeout"] = TimeSpan.FromMicroseconds(queue.DefaultTimeoutMicroseconds).ToString("c", CultureInfo.InvariantCulture);
                }
            }
        }

        foreach (var (key, value) in Config.Parameters)
        {
            if (Parameters.TryGetValue(key, out var setting))
            {
                settings["Settings:" + setting] = value.StringValue;
            }
        }

        Declare(settings, "Inputs", Config.Input.Select(i => (i.Name, i.DataType, (IEnumerable<long>)i.Dims, (ModelTensorReshape?)i.Reshape)), batched);
        Declare(settings, "Outputs", Config.Output.Select(o => (o.Name, o.DataType, (IEnumerable<long>)o.Dims, (ModelTensorReshape?)o.Reshape)), batched);
        for (var w = 0; w < Config.ModelWarmup.Count; w++)
        {
            var warmup = Config.ModelWarmup[w];
            var at = $"Settings:Warmup:{w}:";
            settings[at + "Name"] = warmup.Name;
            settings[at + "BatchSize"] = Invariant(batched ? Math.Max(1, warmup.BatchSize) : 0);
            settings[at + "Count"] = Invariant(Math.Max(1, warmup.Count));
            foreach (var (name, input) in warmup.Inputs)
            {
                var inputAt = $"{at}Inputs:{name}:";
                settings[inputAt + "ElementType"] = ElementType(input.DataType, $"model_warmup '{warmup.Name}' input '{name}'");
                AddList(settings, inputAt + "Dimensions", input.Dims);
                settings[inputAt + "RandomData"] = input.RandomData ? "true" : "false";
                if (input.InputDataTypeCase == ModelWarmup.Types.Input.InputDataTypeOneofCase.InputDataFile)
                {
                    settings[inputAt + "DataFile"] = input.InputDataFile;
                }
            }
        }

        if (Config.ModelWarmup.Count > 0)
        {
            settings["Settings:WarmupFolder"] = System.IO.Path.Combine(folder, "warmup");
        }

        return settings;
    }

    /// <summary>
    /// The configuration keys of an ensemble: an <see cref="EnsembleModel"/> whose dependencies <c>step{i}</c> are the
    /// library models serving each step's model and version (-1: the newest), as <paramref name="resolve"/> finds them.
    /// </summary>
    /// <exception cref="StepNotServedException">A step's model (or version) is not served.</exception>
    public Dictionary<string, string?> EnsembleSettings(Func<string, string?, string?> resolve)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Type"] = nameof(EnsembleModel),
            ["Replicas"] = "32", // requests in flight at once (each waits on its steps, which batch them)
        };
        var steps = Config.EnsembleScheduling.Step;
        if (steps.Count == 0)
        {
            throw new FormatException($"{Path}: the ensemble has no steps (ensemble_scheduling {{ step [...] }}).");
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var version = step.ModelVersion > 0 ? step.ModelVersion.ToString(CultureInfo.InvariantCulture) : null;
            var served = resolve(step.ModelName, version) ?? throw new StepNotServedException(step.ModelName,
                $"{Path}: step {i} of the ensemble uses model '{step.ModelName}'{(version is null ? string.Empty : $" version {version}")}, which is not served.");
            settings[$"Dependencies:{i}"] = $"step{i}={served}";
            settings[$"Settings:Steps:{i}:Model"] = step.ModelName;
            foreach (var (input, tensor) in step.InputMap)
            {
                settings[$"Settings:Steps:{i}:Inputs:{input}"] = tensor;
            }

            foreach (var (output, tensor) in step.OutputMap)
            {
                settings[$"Settings:Steps:{i}:Outputs:{output}"] = tensor;
            }
        }

        var batched = Config.MaxBatchSize > 0;
        Declare(settings, "Inputs", Config.Input.Select(i => (i.Name, i.DataType, (IEnumerable<long>)i.Dims, (ModelTensorReshape?)null)), batched);
        Declare(settings, "Outputs", Config.Output.Select(o => (o.Name, o.DataType, (IEnumerable<long>)o.Dims, (ModelTensorReshape?)null)), batched);
        return settings;
    }

    /// <summary>What the load log says about this configuration: the fields set that this server does not serve, and how a short batching delay is served.</summary>
    public IReadOnlyList<string> Notes()
    {
        var notes = new List<string>();
        var unserved = SetFields(Config, string.Empty)
            .Where(p => !Served.Any(s => s.EndsWith('.') ? p.StartsWith(s, StringComparison.Ordinal) : p == s))
            .Concat(Config.Parameters.Keys.Where(k => !Parameters.ContainsKey(k)).Select(k => $"parameters[\"{k}\"]"))
            .Distinct()
            .ToList();
        if (Config.DynamicBatching?.DefaultQueuePolicy?.TimeoutAction == ModelQueuePolicy.Types.TimeoutAction.Delay)
        {
            unserved.Add("dynamic_batching.default_queue_policy.timeout_action: DELAY (a request past its timeout is refused, as with REJECT)");
        }

        if (Config.DynamicBatching is not null && Config.MaxBatchSize <= 0)
        {
            unserved.Add("dynamic_batching (max_batch_size is 0: the model has no batch axis, so requests are not batched)");
        }

        if (unserved.Count > 0)
        {
            notes.Add($"{Path}: not served, ignored: {string.Join(", ", unserved)}.");
        }

        if (Config.DynamicBatching is { MaxQueueDelayMicroseconds: > 0 } delayed && TimeSpan.FromMicroseconds(delayed.MaxQueueDelayMicroseconds) < SchedulerTick)
        {
            notes.Add($"{Path}: max_queue_delay_microseconds {delayed.MaxQueueDelayMicroseconds} is below Akka's 10 ms scheduler tick: a batch goes as soon as a replica is free, with every request queued by then (a lone request never waits).");
        }

        return notes;
    }

    private static void Declare(Dictionary<string, string?> settings, string key, IEnumerable<(string Name, DataType Type, IEnumerable<long> Dims, ModelTensorReshape? Reshape)> tensors, bool batched)
    {
        var i = 0;
        foreach (var (name, type, dims, reshape) in tensors)
        {
            var at = $"Settings:{key}:{i++}:";
            settings[at + "Name"] = name;
            settings[at + "ElementType"] = ElementType(type, $"{key[..^1].ToLowerInvariant()} '{name}'");
            AddList(settings, at + "Dimensions", batched ? [-1, .. dims] : dims);
            if (reshape is not null)
            {
                AddList(settings, at + "Reshape", batched ? [-1, .. reshape.Shape] : reshape.Shape);
            }
        }
    }

    private static string ElementType(DataType type, string what) =>
        TritonDataTypes.ElementType(type)?.ToString() ?? throw new FormatException($"{what} has no data_type (TYPE_INVALID).");

    private static void AddList(Dictionary<string, string?> settings, string key, IEnumerable<long> values)
    {
        var i = 0;
        foreach (var value in values)
        {
            settings[$"{key}:{i++}"] = Invariant(value);
        }
    }

    private static string Invariant<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>The paths of every field set in <paramref name="message"/> (repeated and map elements under their field's path, without index).</summary>
    private static IEnumerable<string> SetFields(IMessage message, string prefix)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var path = prefix + field.Name;
            var value = field.Accessor.GetValue(message);
            var elements = field.IsMap ? ((System.Collections.IDictionary)value).Values.Cast<object>()
                : field.IsRepeated ? ((System.Collections.IList)value).Cast<object>()
                : value is null || (field.FieldType != FieldType.Message && Equals(value, DefaultOf(field))) ? []
                : [value];
            foreach (var element in elements)
            {
                var nested = element is IMessage m && !field.IsMap ? SetFields(m, path + ".").ToList() : [];
                if (nested.Count == 0)
                {
                    yield return path;
                }

                foreach (var inner in nested)
                {
                    yield return inner;
                }
            }
        }
    }

    private static object? DefaultOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => string.Empty,
        FieldType.Bytes => ByteString.Empty,
        FieldType.Bool => false,
        FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, 0),
        FieldType.Float => 0f,
        FieldType.Double => 0d,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => 0,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt32 or FieldType.Fixed32 => 0u,
        FieldType.UInt64 or FieldType.Fixed64 => 0ul,
        _ => null,
    };
}

/// <summary>An ensemble's step uses a model (or version) that is not served (yet).</summary>
/// <param name="model">The step's model.</param>
/// <param name="message">The error, naming the configuration, the step and the model.</param>
internal sealed class StepNotServedException(string model, string message) : FormatException(message)
{
    /// <summary>The step's model.</summary>
    public string Model { get; } = model;
}
