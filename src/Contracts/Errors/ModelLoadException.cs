namespace ModelActors;

/// <summary>
/// A model failed to load (after its restarts with backoff ran out). The message names the model; the
/// inner exception is the one its <c>Load</c> threw.
/// </summary>
public sealed class ModelLoadException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model that failed.</param>
    /// <param name="attempts">How many load attempts were made.</param>
    /// <param name="innerException">The exception the last attempt threw.</param>
    public ModelLoadException(string modelName, int attempts, Exception innerException)
        : base($"Model '{modelName}' failed to load after {attempts} attempt(s): {innerException.GetType().Name}: {innerException.Message}", innerException)
    {
        ModelName = modelName;
        Attempts = attempts;
    }

    /// <summary>The model that failed.</summary>
    public string ModelName { get; }

    /// <summary>How many load attempts were made.</summary>
    public int Attempts { get; }
}
