namespace ModelActors;

/// <summary>A model's queue is full: the request was rejected at once rather than queued without bound. Retry after <see cref="RetryAfter"/>.</summary>
public sealed class ModelOverloadedException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The overloaded model.</param>
    /// <param name="capacity">The queue capacity that was reached.</param>
    /// <param name="retryAfter">A hint for when to retry.</param>
    public ModelOverloadedException(string modelName, int capacity, TimeSpan retryAfter)
        : this(modelName, capacity, retryAfter, $"its queue of {capacity} requests is full")
    {
    }

    /// <summary>Creates the exception for a refusal with another reason than a full queue (e.g. the expected wait).</summary>
    /// <param name="modelName">The overloaded model.</param>
    /// <param name="capacity">The model's queue capacity.</param>
    /// <param name="retryAfter">A hint for when to retry.</param>
    /// <param name="reason">Why the request was refused, completing "Model 'm' is overloaded: ...".</param>
    public ModelOverloadedException(string modelName, int capacity, TimeSpan retryAfter, string reason)
        : base($"Model '{modelName}' is overloaded: {reason}. Retry after {retryAfter.TotalMilliseconds:0} ms.")
    {
        ModelName = modelName;
        Capacity = capacity;
        RetryAfter = retryAfter;
    }

    /// <summary>The overloaded model.</summary>
    public string ModelName { get; }

    /// <summary>The queue capacity that was reached.</summary>
    public int Capacity { get; }

    /// <summary>A hint for when to retry (HTTP maps it to <c>Retry-After</c>).</summary>
    public TimeSpan RetryAfter { get; }
}
