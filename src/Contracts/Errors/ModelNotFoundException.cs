namespace ModelActors;

/// <summary>A model name that the library does not know; the message lists the known names and the nearest match.</summary>
public sealed class ModelNotFoundException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="name">The unknown name.</param>
    /// <param name="knownNames">The names the library knows.</param>
    /// <param name="suggestion">The nearest known name, if one is close.</param>
    public ModelNotFoundException(string name, IReadOnlyList<string> knownNames, string? suggestion)
        : base(BuildMessage(name, knownNames, suggestion))
    {
        ModelName = name;
        KnownNames = knownNames;
        Suggestion = suggestion;
    }

    /// <summary>The unknown name.</summary>
    public string ModelName { get; }

    /// <summary>The names the library knows.</summary>
    public IReadOnlyList<string> KnownNames { get; }

    /// <summary>The nearest known name, or <see langword="null"/>.</summary>
    public string? Suggestion { get; }

    private static string BuildMessage(string name, IReadOnlyList<string> knownNames, string? suggestion)
    {
        var known = knownNames.Count == 0 ? "none" : string.Join(", ", knownNames.Select(n => $"'{n}'"));
        var hint = suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?";
        return $"No model named '{name}'.{hint} Known models: {known}.";
    }
}
