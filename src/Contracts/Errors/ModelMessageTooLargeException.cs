namespace ModelActors;

/// <summary>
/// A request to a model on another node, or its reply, is larger than the cluster's maximum message size (Akka.Remote's
/// <c>maximum-frame-size</c>; ModelActors.Cluster sets it from its options): it was not sent, and its caller is told at once
/// instead of waiting for a reply that could never arrive.
/// </summary>
public sealed class ModelMessageTooLargeException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model called.</param>
    /// <param name="what">What was too large ("the request", "the reply").</param>
    /// <param name="size">Its size in bytes, serialized.</param>
    /// <param name="limit">The largest message the cluster sends, in bytes.</param>
    public ModelMessageTooLargeException(string modelName, string what, long size, long limit)
        : base($"Model '{modelName}': {what} is {size:N0} bytes serialized, over the cluster's maximum message size of {limit:N0} bytes; raise the maximum frame size (ModelActors:Cluster:MaximumFrameSize) or send smaller requests.")
    {
        ModelName = modelName;
        Size = size;
        Limit = limit;
    }

    /// <summary>The exception as it was raised on another node (its message kept as it was).</summary>
    internal ModelMessageTooLargeException(long size, long limit, string modelName, string message)
        : base(message)
    {
        ModelName = modelName;
        Size = size;
        Limit = limit;
    }

    /// <summary>The model called.</summary>
    public string ModelName { get; }

    /// <summary>The message's size in bytes, serialized.</summary>
    public long Size { get; }

    /// <summary>The largest message the cluster sends, in bytes.</summary>
    public long Limit { get; }
}
