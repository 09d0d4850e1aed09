namespace ModelActors;

/// <summary>The model's library is stopping or stopped: the request was not accepted, or could not be finished before the drain deadline.</summary>
public sealed class ModelStoppedException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model that is stopping.</param>
    /// <param name="detail">Why the request was not served.</param>
    public ModelStoppedException(string modelName, string detail)
        : base($"Model '{modelName}' is stopped: {detail}")
    {
        ModelName = modelName;
    }

    /// <summary>The model that is stopping.</summary>
    public string ModelName { get; }
}
