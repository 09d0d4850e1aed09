using System.Globalization;

namespace ModelActors.Onnx;

/// <summary>Registers <see cref="OnnxModel"/>s on a <see cref="ModelLibraryBuilder"/>.</summary>
public static class OnnxModelLibraryExtensions
{
    /// <summary>Registers the ONNX model at <paramref name="path"/> under <paramref name="name"/>.</summary>
    /// <param name="builder">The library builder.</param>
    /// <param name="name">The model's name.</param>
    /// <param name="path">The .onnx file (absolute, or relative to the working or application folder).</param>
    /// <param name="settings">Sets the ONNX settings (threads, batch axes, shared and padded inputs).</param>
    /// <param name="options">Sets the model options (replicas, batching, timeout...).</param>
    /// <returns>The builder.</returns>
    public static ModelLibraryBuilder AddOnnxModel(this ModelLibraryBuilder builder, string name, string path, Action<OnnxModelSettings>? settings = null, Action<ModelOptions>? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var values = new OnnxModelSettings();
        settings?.Invoke(values);
        return builder.AddModel<OnnxModel>(name, o =>
        {
            o.AssetPath = path;
            Flatten(values, o.Settings);
            options?.Invoke(o);
        });
    }

    /// <summary>Writes <paramref name="values"/> as configuration keys (the form a model's settings are bound from).</summary>
    internal static void Flatten(OnnxModelSettings values, Dictionary<string, string?> settings)
    {
        var c = CultureInfo.InvariantCulture;
        if (values.Path is { } path)
        {
            settings[nameof(OnnxModelSettings.Path)] = path;
        }

        settings[nameof(OnnxModelSettings.ConcurrentRuns)] = values.ConcurrentRuns.ToString(c);
        settings[nameof(OnnxModelSettings.MaxItemRows)] = values.MaxItemRows.ToString(c);
        settings[nameof(OnnxModelSettings.IntraOpNumThreads)] = values.IntraOpNumThreads.ToString(c);
        settings[nameof(OnnxModelSettings.InterOpNumThreads)] = values.InterOpNumThreads.ToString(c);
        settings[nameof(OnnxModelSettings.GraphOptimizationLevel)] = values.GraphOptimizationLevel.ToString();
        settings[nameof(OnnxModelSettings.ExecutionMode)] = values.ExecutionMode.ToString();
        foreach (var (key, value) in values.ConfigEntries)
        {
            settings[$"{nameof(OnnxModelSettings.ConfigEntries)}:{key}"] = value;
        }

        foreach (var (input, axis) in values.BatchAxes)
        {
            settings[$"{nameof(OnnxModelSettings.BatchAxes)}:{input}"] = axis.ToString(c);
        }

        foreach (var (output, axis) in values.OutputBatchAxes)
        {
            settings[$"{nameof(OnnxModelSettings.OutputBatchAxes)}:{output}"] = axis.ToString(c);
        }

        for (var i = 0; i < values.SharedInputs.Count; i++)
        {
            settings[$"{nameof(OnnxModelSettings.SharedInputs)}:{i}"] = values.SharedInputs[i];
        }

        foreach (var (input, pad) in values.PadInputs)
        {
            settings[$"{nameof(OnnxModelSettings.PadInputs)}:{input}"] = pad.ToString(c);
        }

        Flatten(values.Inputs, nameof(OnnxModelSettings.Inputs), settings);
        Flatten(values.Outputs, nameof(OnnxModelSettings.Outputs), settings);
        if (values.WarmupFolder is { } folder)
        {
            settings[nameof(OnnxModelSettings.WarmupFolder)] = folder;
        }

        for (var w = 0; w < values.Warmup.Count; w++)
        {
            var warmup = values.Warmup[w];
            var at = $"{nameof(OnnxModelSettings.Warmup)}:{w}:";
            settings[at + nameof(OnnxWarmup.Name)] = warmup.Name;
            settings[at + nameof(OnnxWarmup.BatchSize)] = warmup.BatchSize.ToString(c);
            settings[at + nameof(OnnxWarmup.Count)] = warmup.Count.ToString(c);
            foreach (var (name, input) in warmup.Inputs)
            {
                var inputAt = $"{at}{nameof(OnnxWarmup.Inputs)}:{name}:";
                settings[inputAt + nameof(OnnxWarmupInput.ElementType)] = input.ElementType.ToString();
                settings[inputAt + nameof(OnnxWarmupInput.RandomData)] = input.RandomData ? "true" : "false";
                if (input.DataFile is { } file)
                {
                    settings[inputAt + nameof(OnnxWarmupInput.DataFile)] = file;
                }

                for (var d = 0; d < input.Dimensions.Count; d++)
                {
                    settings[$"{inputAt}{nameof(OnnxWarmupInput.Dimensions)}:{d}"] = input.Dimensions[d].ToString(c);
                }
            }
        }
    }

    private static void Flatten(List<TensorDeclaration> declarations, string key, Dictionary<string, string?> settings)
    {
        var c = CultureInfo.InvariantCulture;
        for (var i = 0; i < declarations.Count; i++)
        {
            var at = $"{key}:{i}:";
            settings[at + nameof(TensorDeclaration.Name)] = declarations[i].Name;
            settings[at + nameof(TensorDeclaration.ElementType)] = declarations[i].ElementType.ToString();
            for (var d = 0; d < declarations[i].Dimensions.Count; d++)
            {
                settings[$"{at}{nameof(TensorDeclaration.Dimensions)}:{d}"] = declarations[i].Dimensions[d].ToString(c);
            }

            for (var d = 0; d < declarations[i].Reshape.Count; d++)
            {
                settings[$"{at}{nameof(TensorDeclaration.Reshape)}:{d}"] = declarations[i].Reshape[d].ToString(c);
            }
        }
    }
}
