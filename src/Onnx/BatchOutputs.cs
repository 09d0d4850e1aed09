using System.Collections;

namespace ModelActors.Onnx;

/// <summary>
/// The results of one batched run, one per item, each cut from the batch's outputs when it is read: the
/// replica hands the list on at once and the copying happens where the callers are answered. The
/// outputs' shapes are checked when the list is made, so reading an item only copies.
/// </summary>
internal sealed class BatchOutputs : IReadOnlyList<OnnxTensors>
{
    private readonly (string Name, OnnxTensor Tensor, int Axis)[] _outputs;
    private readonly long[] _sizes;
    private readonly long[] _starts;

    /// <param name="outputs">Each output of the run with the axis it is split along (its extent there is the sum of <paramref name="sizes"/>).</param>
    /// <param name="sizes">Each item's extent along the batch axis.</param>
    public BatchOutputs((string Name, OnnxTensor Tensor, int Axis)[] outputs, long[] sizes)
    {
        _outputs = outputs;
        _sizes = sizes;
        _starts = new long[sizes.Length];
        for (var i = 1; i < sizes.Length; i++)
        {
            _starts[i] = _starts[i - 1] + sizes[i - 1];
        }
    }

    /// <inheritdoc />
    public int Count => _sizes.Length;

    /// <summary>Item <paramref name="index"/>'s outputs (a new copy on every read).</summary>
    /// <param name="index">The item's position in the batch.</param>
    public OnnxTensors this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var result = new OnnxTensors(_outputs.Length);
            foreach (var (name, tensor, axis) in _outputs)
            {
                result[name] = TensorBatching.Slice(tensor, axis, _starts[index], _sizes[index]);
            }

            return result;
        }
    }

    /// <inheritdoc />
    public IEnumerator<OnnxTensors> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
