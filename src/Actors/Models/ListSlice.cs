using System.Collections;

namespace ModelActors.Models;

/// <summary>A read-only window on part of a list: how a chunk reaches the model without copying the caller's items.</summary>
internal sealed class ListSlice<T>(IReadOnlyList<T> source, int offset, int count) : IReadOnlyList<T>
{
    public int Count => count;

    public T this[int index] =>
        (uint)index < (uint)count ? source[offset + index] : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < count; i++)
        {
            yield return source[offset + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
