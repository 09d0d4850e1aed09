namespace ModelActors;

/// <summary>A model was asked for with item/result types other than its own.</summary>
public sealed class ModelTypeMismatchException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was asked for and what the model is, naming the models involved.</param>
    public ModelTypeMismatchException(string message)
        : base(message)
    {
    }
}
