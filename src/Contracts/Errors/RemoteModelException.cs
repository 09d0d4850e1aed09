namespace ModelActors;

/// <summary>
/// A model on another node of the cluster failed with an exception whose type this node cannot make (it does not have
/// the type, or the type cannot be built from a message): its type's name, its message and the model's name arrive here.
/// Exceptions of types this node has arrive as those types.
/// </summary>
public sealed class RemoteModelException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model that failed (empty when unknown).</param>
    /// <param name="remoteType">The full name of the exception's type on the node that raised it.</param>
    /// <param name="remoteMessage">Its message.</param>
    public RemoteModelException(string modelName, string remoteType, string remoteMessage)
        : base($"Model '{modelName}' failed on another node with {remoteType}: {remoteMessage}")
    {
        ModelName = modelName;
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
    }

    /// <summary>The model that failed.</summary>
    public string ModelName { get; }

    /// <summary>The full name of the exception's type on the node that raised it.</summary>
    public string RemoteType { get; }

    /// <summary>The exception's message there.</summary>
    public string RemoteMessage { get; }
}
