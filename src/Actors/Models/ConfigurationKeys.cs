using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace ModelActors.Models;

/// <summary>
/// Keys of a configuration section that no setting reads. .NET's binder skips them silently, so a misspelt key
/// (<c>Replcias</c>, <c>DefaultTimout</c>) would leave its setting at the default without a word; they are reported
/// instead, each with the nearest setting's name.
/// </summary>
internal static class ConfigurationKeys
{
    /// <summary>One problem per child of <paramref name="section"/> that is neither a settable property of <paramref name="options"/> nor one of <paramref name="others"/>.</summary>
    /// <param name="section">The section bound to <paramref name="options"/>.</param>
    /// <param name="options">The options type.</param>
    /// <param name="what">What the section configures, opening each message ("Model 'ocr' (configuration 'ModelActors:Models:ocr')").</param>
    /// <param name="others">Children read by others (sub-sections bound elsewhere).</param>
    public static IEnumerable<string> Unknown(IConfiguration section, Type options, string what, params string[] others)
    {
        var known = options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || p.PropertyType.IsClass)
            .Select(p => p.Name)
            .Concat(others)
            .ToList();
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                var path = child is IConfigurationSection { Path: { } full } ? full : child.Key;
                yield return $"{what}: '{path}' is not a setting, and would be ignored.{NameSuggester.Hint(child.Key, known)}";
            }
        }
    }
}
