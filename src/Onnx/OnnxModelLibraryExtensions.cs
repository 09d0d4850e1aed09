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
    }
}
