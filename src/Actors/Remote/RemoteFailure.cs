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
/// <param name="First">A detail of ModelActors' own exceptions: a refusal's queue capacity, an oversized message's size.</param>
/// <param name="Second">Another: a refusal's retry hint in ticks, the largest message size.</param>
internal sealed record RemoteFailure(string TypeName, string Message, string Model, long First = 0, long Second = 0) : IModelMessage
{
    /// <summary>The wire form of <paramref name="error"/>, raised by (or on the way to) model <paramref name="model"/>.</summary>
    public static RemoteFailure From(Exception error, string model)
    {
        var name = ModelErrors.GetModelName(error) ?? model;
        var type = WireTypes.NameOf(error.GetType());
        return error switch
        {
            ModelOverloadedException overloaded => new RemoteFailure(type, error.Message, name, overloaded.Capacity, overloaded.RetryAfter.Ticks),
            ModelMessageTooLargeException tooLarge => new RemoteFailure(type, error.Message, name, tooLarge.Size, tooLarge.Limit),
            _ => new RemoteFailure(type, error.Message, name),
        };
    }

    /// <summary>
    /// The exception on this node: of the same type when this node has it and can make it from a message (ModelActors'
    /// own refusals keep their details); of its nearest base type that can be (an <c>OnnxInputException</c> becomes an
    /// <see cref="ArgumentException"/>) when the type itself cannot; a <see cref="RemoteModelException"/> naming it when this node
    /// has no such type (or cannot make one). The model's name is attached as a local model's would be (<see cref="ModelErrors.GetModelName"/>).
    /// </summary>
    public Exception Rebuild()
    {
        var type = WireTypes.Resolve(TypeName);
        var error = type is null || !typeof(Exception).IsAssignableFrom(type) ? null : Make(type) ?? MakeBase(type);
        error ??= new RemoteModelException(Model, ShortName(TypeName), Message);
        return Model.Length == 0 ? error : ModelErrors.Attach(error, Model);
    }

    private Exception? Make(Type type)
    {
        try
        {
            return MakeOwn(type) ?? MakeFromMessage(type);
        }
        catch (Exception)
        {
            return null; // a constructor that refuses this message: the next candidate (a base type, or RemoteModelException)
        }
    }

    /// <summary>ModelActors' own exceptions whose details a caller reads (a retry hint, sizes).</summary>
    private Exception? MakeOwn(Type type) =>
        type == typeof(ModelOverloadedException) ? new ModelOverloadedException(Model, (int)First, TimeSpan.FromTicks(Second), Between(Message, "is overloaded: ", ". Retry after") ?? Message)
        : type == typeof(ModelStoppedException) ? new ModelStoppedException(Model, After(Message, "is stopped: ") ?? Message)
        : type == typeof(ModelUnavailableException) ? new ModelUnavailableException(Model, After(Message, "is unavailable: ") ?? Message)
        : type == typeof(ModelMessageTooLargeException) ? new ModelMessageTooLargeException(First, Second, Model, Message)
        : null;

    /// <summary>
    /// A type made from its message: by its (message, inner exception) constructor where it has one (for the argument
    /// exceptions, whose one-string constructors take a parameter name), else by its (message) constructor.
    /// </summary>
    private Exception? MakeFromMessage(Type type)
    {
        if (type.IsAbstract || type == typeof(Exception) || typeof(ModelActorsException).IsAssignableFrom(type))
        {
            return null; // ModelActors' others carry details a message cannot give back: RemoteModelException names them
        }

        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance;
        return type.GetConstructor(Public, [typeof(string), typeof(Exception)]) is { } withInner
            ? (Exception)withInner.Invoke([Message, null])
            : type.GetConstructor(Public, [typeof(string)]) is { } withMessage ? (Exception)withMessage.Invoke([Message]) : null;
    }

    private Exception? MakeBase(Type type)
    {
        for (var candidate = type.BaseType; candidate is not null && candidate != typeof(Exception); candidate = candidate.BaseType)
        {
            if (Make(candidate) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>A wire type name without its assembly (the first comma outside the brackets of generic arguments).</summary>
    internal static string ShortName(string typeName)
    {
        var depth = 0;
        for (var i = 0; i < typeName.Length; i++)
        {
            switch (typeName[i])
            {
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    return typeName[..i];
            }
        }

        return typeName;
    }

    private static string? After(string text, string marker) => text.IndexOf(marker, StringComparison.Ordinal) is var i and >= 0 ? text[(i + marker.Length)..] : null;

    private static string? Between(string text, string start, string end) =>
        After(text, start) is { } rest && rest.LastIndexOf(end, StringComparison.Ordinal) is var j and >= 0 ? rest[..j] : null;
}
