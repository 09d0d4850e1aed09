using Akka.Actor;
using Akka.Streams;
using ModelActors.Models;

namespace ModelActors.Streams;

/// <summary>What a model needs to run Akka.Streams graphs of its own: the library's actor system and materializer.</summary>
public static class ModelContextStreams
{
    /// <summary>The actor system the model's library runs in.</summary>
    /// <param name="context">The model's load context.</param>
    /// <returns>The actor system.</returns>
    public static ActorSystem GetActorSystem(this ModelContext context) => Library(context).ActorSystem;

    /// <summary>The library's materializer: graphs a model runs on it stop with the library.</summary>
    /// <param name="context">The model's load context.</param>
    /// <returns>The materializer.</returns>
    public static IMaterializer GetMaterializer(this ModelContext context) => Library(context).Materializer;

    private static ModelLibrary Library(ModelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Host is IModelLibraryHost host
            ? host.Library
            : throw new InvalidOperationException("This context does not belong to a ModelActors library.");
    }
}
