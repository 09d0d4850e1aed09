using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ModelActors.Onnx;

/// <summary>Named tensors: the item and the result of an <see cref="OnnxModel"/> (one input or output per name).</summary>
/// <remarks>
/// Kept in insertion order in two small arrays and looked up by ordinal name comparison: a model has a
/// handful of inputs and outputs, and one set is made per item of every batch, so a hash table per item
/// would cost more than it saves. Sets of more than <see cref="IndexedFrom"/> names also keep an index.
/// </remarks>
/// <example><code>var item = new OnnxTensors { ["x"] = OnnxTensor.Create(new float[] { 1, 2, 3 }, 1, 3) };</code></example>
[ModelPayloadCodec(typeof(OnnxTensorsCodec))]
public sealed class OnnxTensors : IReadOnlyDictionary<string, OnnxTensor>
{
    private const int IndexedFrom = 8;
    private string[] _names;
    private OnnxTensor[] _tensors;
    private Dictionary<string, int>? _index;
    private int _count;

    /// <summary>Creates an empty set.</summary>
    public OnnxTensors()
        : this(capacity: 2)
    {
    }

    /// <summary>Creates a set holding <paramref name="tensors"/>.</summary>
    /// <param name="tensors">Tensors by name.</param>
    public OnnxTensors(IEnumerable<KeyValuePair<string, OnnxTensor>> tensors)
        : this(capacity: tensors is IReadOnlyCollection<KeyValuePair<string, OnnxTensor>> sized ? sized.Count : 2)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, tensor) in tensors)
        {
            this[name] = tensor;
        }
    }

    /// <summary>Creates an empty set with room for <paramref name="capacity"/> tensors.</summary>
    internal OnnxTensors(int capacity)
    {
        _names = new string[Math.Max(capacity, 1)];
        _tensors = new OnnxTensor[_names.Length];
    }

    /// <inheritdoc />
    public int Count => _count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _names.Take(_count);

    /// <inheritdoc />
    public IEnumerable<OnnxTensor> Values => _tensors.Take(_count);

    /// <summary>Gets or sets the tensor named <paramref name="name"/>.</summary>
    /// <param name="name">The input or output name.</param>
    public OnnxTensor this[string name]
    {
        get => TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"No tensor named '{name}'. Tensors: {string.Join(", ", Keys)}.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var at = IndexOf(name);
            if (at >= 0)
            {
                _tensors[at] = value;
                return;
            }

            Add(name, value);
        }
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out OnnxTensor value)
    {
        var at = IndexOf(key);
        value = at >= 0 ? _tensors[at] : null;
        return at >= 0;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, OnnxTensor>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return new(_names[i], _tensors[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The name at position <paramref name="index"/> (insertion order): lets a run walk the set without an enumerator.</summary>
    internal string NameAt(int index) => _names[index];

    /// <summary>The tensor at position <paramref name="index"/> (insertion order).</summary>
    internal OnnxTensor TensorAt(int index) => _tensors[index];

    private int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_index is not null)
        {
            return _index.TryGetValue(name, out var at) ? at : -1;
        }

        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Add(string name, OnnxTensor tensor)
    {
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
            Array.Resize(ref _tensors, _count * 2);
        }

        _names[_count] = name;
        _tensors[_count] = tensor;
        _count++;
        if (_index is not null)
        {
            _index[name] = _count - 1;
        }
        else if (_count > IndexedFrom)
        {
            _index = new Dictionary<string, int>(_count * 2, StringComparer.Ordinal);
            for (var i = 0; i < _count; i++)
            {
                _index[_names[i]] = i;
            }
        }
    }
}
