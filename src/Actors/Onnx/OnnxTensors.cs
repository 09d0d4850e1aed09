using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ModelActors.Onnx;

/// <summary>Named tensors: the item and the result of an <see cref="OnnxModel"/> (one input or output per name).</summary>
/// <example><code>var item = new OnnxTensors { ["x"] = OnnxTensor.Create(new float[] { 1, 2, 3 }, 1, 3) };</code></example>
public sealed class OnnxTensors : IReadOnlyDictionary<string, OnnxTensor>
{
    private readonly Dictionary<string, OnnxTensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>Creates an empty set.</summary>
    public OnnxTensors()
    {
    }

    /// <summary>Creates a set holding <paramref name="tensors"/>.</summary>
    /// <param name="tensors">Tensors by name.</param>
    public OnnxTensors(IEnumerable<KeyValuePair<string, OnnxTensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, tensor) in tensors)
        {
            _tensors[name] = tensor;
        }
    }

    /// <inheritdoc />
    public int Count => _tensors.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _tensors.Keys;

    /// <inheritdoc />
    public IEnumerable<OnnxTensor> Values => _tensors.Values;

    /// <summary>Gets or sets the tensor named <paramref name="name"/>.</summary>
    /// <param name="name">The input or output name.</param>
    public OnnxTensor this[string name]
    {
        get => _tensors.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"No tensor named '{name}'. Tensors: {string.Join(", ", _tensors.Keys)}.");
        set => _tensors[name] = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out OnnxTensor value) => _tensors.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, OnnxTensor>> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
