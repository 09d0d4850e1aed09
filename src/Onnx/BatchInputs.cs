namespace ModelActors.Onnx;

/// <summary>
/// How an <see cref="OnnxModel"/> merges a batch's items into one set of inputs: each input's batch axis,
/// whether it is shared (passed once) or padded. Made once at load from <see cref="OnnxModelSettings"/>;
/// <see cref="Merge"/> then makes one pass over the items per input.
/// </summary>
internal sealed class BatchInputs
{
    private readonly string _model;
    private readonly Input[] _inputs;
    private readonly int _firstBatched;

    public BatchInputs(string model, InferenceSession session, OnnxModelSettings settings)
    {
        _model = model;
        _inputs = [.. session.InputNames.Select(name => new Input(
            name,
            settings.BatchAxes.GetValueOrDefault(name, 0),
            settings.SharedInputs.Contains(name),
            settings.PadInputs.TryGetValue(name, out var pad) ? pad : null))];
        _firstBatched = Array.FindIndex(_inputs, i => !i.Shared);
    }

    /// <summary>
    /// The batch's inputs, and each item's extent along the batch axis. The items have been checked
    /// against the model's metadata; this checks what batching needs on top (equal batch extents across an
    /// item's inputs, equal shapes off the batch axis unless padded, equal shared values).
    /// </summary>
    public (OnnxTensors Merged, long[] Sizes) Merge(IReadOnlyList<OnnxTensors> items)
    {
        if (_firstBatched < 0)
        {
            throw new InvalidOperationException($"Model '{_model}': every input is shared, so items cannot be batched; set MaxBatchSize to 1.");
        }

        var sizes = new long[items.Count];
        var merged = new OnnxTensors(_inputs.Length);
        var parts = new OnnxTensor[items.Count];
        for (var k = 0; k < _inputs.Length; k++)
        {
            // The first batched input sets each item's extent; the others are checked against it.
            var input = _inputs[(k + _firstBatched) % _inputs.Length];
            for (var i = 0; i < items.Count; i++)
            {
                parts[i] = items[i][input.Name];
            }

            merged[input.Name] = input.Shared ? SharedValue(input, parts) : Concatenate(input, parts, sizes, first: k == 0);
        }

        return (merged, sizes);
    }

    /// <summary>
    /// Hands back the arrays <see cref="Merge"/> concatenated, once the run they were made for has returned:
    /// the next batch of the same size is concatenated into them instead of a new array (a full batch after
    /// a full batch allocates nothing for its inputs). Shared inputs are the caller's own and are not kept.
    /// </summary>
    public void Recycle(OnnxTensors merged)
    {
        foreach (var input in _inputs)
        {
            if (!input.Shared && merged.TryGetValue(input.Name, out var tensor))
            {
                input.Recycle(tensor.Data);
            }
        }
    }

    /// <summary>Compares raw-byte string elements by content (arrays compare by reference otherwise).</summary>
    private sealed class ByteElements : IEqualityComparer<byte[]>
    {
        public static readonly ByteElements Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }

    private static OnnxTensor SharedValue(Input input, OnnxTensor[] parts)
    {
        var first = parts[0];
        for (var i = 1; i < parts.Length; i++)
        {
            var other = parts[i];
            var same = other.Data is byte[][] || first.Data is byte[][]
                ? other.GetBytes().SequenceEqual(first.GetBytes(), ByteElements.Instance)
                : other.Data.Cast<object>().SequenceEqual(first.Data.Cast<object>());
            if (!other.Shape.SequenceEqual(first.Shape) || !same)
            {
                throw new OnnxInputException(input.Name, $"Item {i}: shared input '{input.Name}' differs from item 0's; items batched together must share its value.");
            }
        }

        return first;
    }

    private OnnxTensor Concatenate(Input input, OnnxTensor[] parts, long[] sizes, bool first)
    {
        var axis = input.Axis;
        for (var i = 0; i < parts.Length; i++)
        {
            var size = parts[i].Shape[axis];
            if (first)
            {
                sizes[i] = size;
            }
            else if (size != sizes[i])
            {
                var firstName = _inputs[_firstBatched].Name;
                throw new OnnxInputException(input.Name, $"Item {i}: input '{input.Name}' has {size} along its batch axis {axis}, but input '{firstName}' has {sizes[i]}.");
            }
        }

        if (input.Pad is { } padValue)
        {
            return input.Concat(Padded(parts, axis, padValue));
        }

        var shape0 = parts[0].Shape;
        for (var i = 1; i < parts.Length; i++)
        {
            var shape = parts[i].Shape;
            for (var d = 0; d < shape0.Count; d++)
            {
                if (d != axis && shape[d] != shape0[d])
                {
                    throw new OnnxInputException(input.Name, $"Item {i}: input '{input.Name}' has shape [{string.Join(", ", shape)}] but item 0 has [{string.Join(", ", shape0)}]; only batch axis {axis} may differ (set PadInputs to pad it).");
                }
            }
        }

        return input.Concat(parts);
    }

    /// <summary>Each part padded to the batch's longest extent along every axis but the batch axis.</summary>
    private static OnnxTensor[] Padded(OnnxTensor[] parts, int axis, double padValue)
    {
        var target = parts[0].Shape.ToArray();
        for (var d = 0; d < target.Length; d++)
        {
            target[d] = parts.Max(p => p.Shape[d]);
        }

        return [.. parts.Select(p =>
        {
            var shape = target.ToArray();
            shape[axis] = p.Shape[axis];
            return TensorBatching.Pad(p, shape, padValue);
        })];
    }

    /// <summary>One model input and how it is batched. Keeps the array its last batch was concatenated into, for the next.</summary>
    private sealed record Input(string Name, int Axis, bool Shared, double? Pad)
    {
        private Array? _spare;

        /// <summary>Concatenates the batch's parts, into the spare array when it has the right length.</summary>
        public OnnxTensor Concat(OnnxTensor[] parts) => TensorBatching.Concat(parts, Axis, Interlocked.Exchange(ref _spare, null));

        /// <summary>Keeps a merged array whose run has returned, for the next batch.</summary>
        public void Recycle(Array merged) => Volatile.Write(ref _spare, merged);
    }
}
