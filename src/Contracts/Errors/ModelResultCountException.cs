namespace ModelActors;

/// <summary>A batch implementation returned a number of results other than the number of items it was given.</summary>
public sealed class ModelResultCountException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="modelName">The model (or class) whose batch method miscounted.</param>
    /// <param name="expected">The number of items in the batch.</param>
    /// <param name="actual">The number of results returned.</param>
    public ModelResultCountException(string modelName, int expected, int actual)
        : base($"Model '{modelName}' returned {actual} result(s) for a batch of {expected} item(s); a batch method must return exactly one result per item.")
    {
        ModelName = modelName;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The model that miscounted.</summary>
    public string ModelName { get; }

    /// <summary>The number of items in the batch.</summary>
    public int Expected { get; }

    /// <summary>The number of results returned.</summary>
    public int Actual { get; }
}
