namespace ModelActors;

/// <summary>A dependency asked for under a key the configuration does not declare, or with item/result types other than the dependency's own.</summary>
public sealed class ModelDependencyException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was asked for and what exists, naming both models.</param>
    public ModelDependencyException(string message)
        : base(message)
    {
    }
}
