namespace ModelActors.Host.Server;

/// <summary>The versions the server serves: a model loaded from a <c>--model-repository</c> version folder is served under its name at that version (the newest one, as Triton's default policy does).</summary>
public sealed class ModelVersions
{
    private readonly Dictionary<string, string> _served = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="model"/> is served at <paramref name="version"/>.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="version">The version folder's name.</param>
    public void Add(string model, string version) => _served[model] = version;

    /// <summary>The version <paramref name="model"/> is served at, or null when it has none.</summary>
    /// <param name="model">The model's name.</param>
    /// <returns>The version or null.</returns>
    public string? Of(string model) => _served.GetValueOrDefault(model);
}
