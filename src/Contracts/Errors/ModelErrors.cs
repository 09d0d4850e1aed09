namespace ModelActors;

/// <summary>
/// How prediction errors reach callers: the model's own exception, unchanged in type, with the name of
/// the model that threw it attached under <see cref="ModelNameKey"/> in <see cref="Exception.Data"/>.
/// Through a chain of models the innermost model's name is kept.
/// </summary>
public static class ModelErrors
{
    /// <summary>The <see cref="Exception.Data"/> key holding the name of the model that raised the exception.</summary>
    public const string ModelNameKey = "ModelActors.Model";

    /// <summary>
    /// The name of the model that raised <paramref name="exception"/>: the one attached to a model's own exception, else
    /// the model a runtime error is about (a load failure, an overload, a stop, an unavailable model, a message too large,
    /// a wrong result count, a remote failure, a timeout); <see langword="null"/> if no model did.
    /// </summary>
    /// <param name="exception">An exception caught from a model call.</param>
    /// <returns>The model's name, or <see langword="null"/>.</returns>
    public static string? GetModelName(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Data[ModelNameKey] as string ?? exception switch
        {
            ModelLoadException e => e.ModelName,
            ModelOverloadedException e => e.ModelName,
            ModelStoppedException e => e.ModelName,
            ModelUnavailableException e => e.ModelName,
            ModelMessageTooLargeException e => e.ModelName,
            ModelResultCountException e => e.ModelName,
            RemoteModelException e => e.ModelName,
            _ => null,
        };
    }

    /// <summary>Attaches <paramref name="modelName"/> unless a model name is already attached.</summary>
    internal static Exception Attach(Exception exception, string modelName)
    {
        try
        {
            if (exception.Data[ModelNameKey] is null)
            {
                exception.Data[ModelNameKey] = modelName;
            }
        }
        catch (Exception) when (exception.Data.IsReadOnly)
        {
            // Some exception types expose a read-only Data dictionary; the exception still reaches the caller.
        }

        return exception;
    }
}
