using System.Reflection;

namespace ModelActors.Remote;

/// <summary>
/// A model's failure on its way to a caller on another node: what crosses is the exception's type name, its message and
/// the model's name (and a refusal's retry hint); the receiving node gets <c>Status.Failure</c> with the exception rebuilt
/// (see <see cref="Rebuild"/>). Akka's own way (the exception's serialization fields through its JSON serializer) drops
/// the message when the type is missing or has no serialization constructor, and the caller then only times out.
/// </summary>
/// <param name="TypeName">The exception type's wire name (<see cref="WireTypes.NameOf"/>).</param>
/// <param name="Message">The exception's message.</param>
/// <param name="Model">The model that raised it (its name attached to the exception), else the model that answered.</param>
/// <param name="Capacity">For a <see cref="ModelOverloadedException"/>, the model's queue capacity.</param>
/// <param name="RetryAfter">For a <see cref="ModelOverloadedException"/>, the retry hint.</param>
internal sealed record RemoteFailure(string TypeName, string Message, string Model, int Capacity = 0, TimeSpan RetryAfter = default) : IModelMessage
{
    /// <summary>The wire form of <paramref name="error"/>, raised by (or on the way to) model <paramref name="model"/>.</summary>
    public static RemoteFailure From(Exception error, string model)
    {
        var name = ModelErrors.GetModelName(error) ?? model;
        return error is ModelOverloadedException overloaded
            ? new RemoteFailure(WireTypes.NameOf(error.GetType()), error.Message, name, overloaded.Capacity, overloaded.RetryAfter)
            : new RemoteFailure(WireTypes.NameOf(error.GetType()), error.Message, name);
    }

    /// <summary>
    /// The exception on this node: of the same type when this node has it and can make it from a message (ModelActors'
    /// own exceptions keep their details); of its nearest base type that can be (an <c>OnnxInputException</c> becomes an
    /// <see cref="ArgumentException"/>) when the type itself cannot; a <see cref="RemoteModelException"/> naming it when this node
    /// has no such type. The model's name is attached as a local model's would be (<see cref="ModelErrors.GetModelName"/>).
    /// </summary>
    public Exception Rebuild()
    {
        var type = WireTypes.Resolve(TypeName);
        var error = type is null || !typeof(Exception).IsAssignableFrom(type) ? null : Make(type) ?? MakeBase(type);
        error ??= new RemoteModelException(Model, ShortName(), Message);
        return Model.Length == 0 ? error : ModelErrors.Attach(error, Model);
    }

    private Exception? Make(Type type)
    {
        if (type == typeof(ModelOverloadedException))
        {
            return new ModelOverloadedException(Model, Capacity, RetryAfter, Between(Message, "is overloaded: ", ". Retry after") ?? Message);
        }

        if (type == typeof(ModelStoppedException))
        {
            return new ModelStoppedException(Model, After(Message, "is stopped: ") ?? Message);
        }

        return type.IsAbstract || type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, [typeof(string)]) is not { } constructor
            ? null
            : constructor.Invoke([Message]) as Exception;
    }

    private Exception? MakeBase(Type type)
    {
        for (var candidate = type.BaseType; candidate is not null && candidate != typeof(Exception) && candidate != typeof(ModelActorsException); candidate = candidate.BaseType)
        {
            if (Make(candidate) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private string ShortName() => TypeName.Split(',')[0];

    private static string? After(string text, string marker) => text.IndexOf(marker, StringComparison.Ordinal) is var i and >= 0 ? text[(i + marker.Length)..] : null;

    private static string? Between(string text, string start, string end) =>
        After(text, start) is { } rest && rest.LastIndexOf(end, StringComparison.Ordinal) is var j and >= 0 ? rest[..j] : null;
}
