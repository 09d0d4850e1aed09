using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace ModelActors.Remote;

/// <summary>
/// Type names on the wire: assembly-qualified without version, culture or key, so that nodes of different builds of the
/// same assemblies still understand each other; resolved once per name.
/// </summary>
internal static partial class WireTypes
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();
    private static readonly ConcurrentDictionary<string, Type> Types = new(StringComparer.Ordinal);

    /// <summary>The wire name of <paramref name="type"/>.</summary>
    public static string NameOf(Type type) => Names.GetOrAdd(type, static t => Versionless().Replace(t.AssemblyQualifiedName ?? t.FullName ?? t.Name, string.Empty));

    /// <summary>The type named <paramref name="name"/> on this node, or null when it has none (only found types are kept).</summary>
    public static Type? Resolve(string name)
    {
        if (Types.TryGetValue(name, out var known))
        {
            return known;
        }

        var type = Type.GetType(name, throwOnError: false);
        if (type is not null)
        {
            Types.TryAdd(name, type);
        }

        return type;
    }

    [GeneratedRegex(@", (Version|Culture|PublicKeyToken)=[^,\]]+")]
    private static partial Regex Versionless();
}
