using ModelActors.Onnx;

namespace ModelActors.Tests.Cluster;

/// <summary>Answers with the name of the node it runs on; throws <see cref="ModelFailure"/> for items starting with "bad".</summary>
public sealed class NodeTagModel(string node) : Model<string, string>
{
    protected override string Predict(string item, CancellationToken cancellationToken) =>
        item.StartsWith("bad", StringComparison.Ordinal) ? throw new ModelFailure($"cannot handle {item}") : $"{node}:{item}";
}

/// <summary>Answers NaN, which System.Text.Json (the default codec) refuses to write.</summary>
public sealed class NaNModel : Model<float, float>
{
    protected override float Predict(float item, CancellationToken cancellationToken) => float.NaN;
}

/// <summary>The element count and sum of its input tensor "x", and the node it ran on.</summary>
public sealed class TensorSumModel(string node) : Model<OnnxTensors, OnnxTensors>
{
    protected override OnnxTensors Predict(OnnxTensors item, CancellationToken cancellationToken)
    {
        var data = item["x"].GetData<float>();
        return new OnnxTensors
        {
            ["count"] = OnnxTensor.Scalar((long)data.Length),
            ["sum"] = OnnxTensor.Scalar(data.Sum(v => (double)v)),
            ["node"] = OnnxTensor.Create(new[] { node }, 1),
        };
    }
}
