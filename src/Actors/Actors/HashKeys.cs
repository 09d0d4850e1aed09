using System.Globalization;
using Akka.Routing;

namespace ModelActors.Actors;

/// <summary>
/// The consistent-hashing key of an item (<see cref="RouterKind.ConsistentHashing"/>), always as a string or bytes: Akka's
/// own fallback for other keys serializes them with the system's serializer, and a key it cannot serialize routes the
/// request to dead letters.
/// </summary>
internal static class HashKeys
{
    /// <summary>Whether items of <paramref name="itemType"/> have a key: they implement <see cref="IConsistentHashable"/> or are strings, bytes or formattable values.</summary>
    public static bool Supports(Type itemType) =>
        typeof(IConsistentHashable).IsAssignableFrom(itemType)
        || itemType == typeof(string)
        || itemType == typeof(byte[])
        || typeof(IFormattable).IsAssignableFrom(itemType)
        || Nullable.GetUnderlyingType(itemType) is { } inner && typeof(IFormattable).IsAssignableFrom(inner);

    /// <summary>The key of <paramref name="item"/>: its <see cref="IConsistentHashable.ConsistentHashKey"/>, or itself, as a string or bytes.</summary>
    /// <remarks>Never throws: Akka calls this outside its own guard, on the sender's thread (a model actor would be stopped); a key that throws is the empty key.</remarks>
    public static object Of(object? item)
    {
        try
        {
            var key = item is IConsistentHashable hashable ? hashable.ConsistentHashKey : item;
            return key switch
            {
                null => string.Empty,
                string text => text,
                byte[] bytes => bytes,
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => key.ToString() ?? string.Empty,
            };
        }
        catch (Exception)
        {
            return string.Empty;
        }
    }
}
