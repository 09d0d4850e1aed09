namespace ModelActors;

/// <summary>
/// The library's configurations are inconsistent: duplicate names, missing dependencies, dependency
/// cycles, a class overriding neither or both predict methods, bad settings. All problems are reported together.
/// </summary>
public sealed class ModelRegistrationException : ModelActorsException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">Every problem found, each naming the models involved.</param>
    public ModelRegistrationException(IReadOnlyList<string> errors)
        : base(errors.Count == 1 ? errors[0] : "Invalid model configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => " - " + e)))
    {
        Errors = errors;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
