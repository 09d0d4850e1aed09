namespace ModelActors;

/// <summary>
/// A model hosted on other nodes of the cluster could not answer: no node that hosts it is reachable, or the node running
/// the request left the cluster abruptly (the request may or may not have run there). Servers answer 503.
/// </summary>
public sealed class ModelUnavailableException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model called.</param>
    /// <param name="reason">Why it is unavailable, completing "Model 'm' is unavailable: ...".</param>
    public ModelUnavailableException(string modelName, string reason)
        : base($"Model '{modelName}' is unavailable: {reason}")
    {
        ModelName = modelName;
    }

    /// <summary>The model called.</summary>
    public string ModelName { get; }
}
