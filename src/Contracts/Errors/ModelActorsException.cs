namespace ModelActors;

/// <summary>The base of the exceptions ModelActors raises itself (a model's own exceptions reach callers unchanged).</summary>
public abstract class ModelActorsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, naming the model involved.</param>
    /// <param name="innerException">The cause, if any.</param>
    protected ModelActorsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
