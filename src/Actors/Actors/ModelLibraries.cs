using System.Collections.Concurrent;
using Akka.Actor;

namespace ModelActors.Actors;

/// <summary>
/// The model libraries running in one actor system, by library actor name (an Akka extension, so a
/// library is reachable from its system: <see cref="ModelLibrary.For(ActorSystem)"/>).
/// </summary>
internal sealed class ModelLibraries : IExtension
{
    private readonly ConcurrentDictionary<string, ModelLibrary> _byActorName = new(StringComparer.Ordinal);

    /// <summary>The extension of <paramref name="system"/> (created on first use).</summary>
    public static ModelLibraries Of(ActorSystem system) => system.WithExtension<ModelLibraries, Id>();

    /// <summary>Adds a library whose library actor was just created under <paramref name="actorName"/>.</summary>
    public void Add(string actorName, ModelLibrary library) => _byActorName[actorName] = library;

    /// <summary>Removes a disposed library (only if it is still the one registered under its name).</summary>
    public void Remove(string actorName, ModelLibrary library) => _byActorName.TryRemove(new KeyValuePair<string, ModelLibrary>(actorName, library));

    /// <summary>The only library in the system.</summary>
    public ModelLibrary Single(ActorSystem system)
    {
        var all = _byActorName.ToArray();
        return all.Length switch
        {
            1 => all[0].Value,
            0 => throw new InvalidOperationException(
                $"No ModelLibrary runs in actor system '{system.Name}'. Add one with AkkaConfigurationBuilder.WithModelActors(...), services.AddModelActors(...) or ModelLibraryBuilder.UseActorSystem(...); under Akka.Hosting it exists once the host has started."),
            _ => throw new InvalidOperationException(
                $"{all.Length} model libraries run in actor system '{system.Name}' ({string.Join(", ", all.Select(p => p.Key).Order(StringComparer.Ordinal))}); name one with ModelLibrary.For(system, actorName)."),
        };
    }

    /// <summary>The library whose library actor is named <paramref name="actorName"/>.</summary>
    public ModelLibrary Named(ActorSystem system, string actorName) =>
        _byActorName.TryGetValue(actorName, out var library)
            ? library
            : throw new InvalidOperationException(
                $"No ModelLibrary named '{actorName}' runs in actor system '{system.Name}' (running: {(_byActorName.IsEmpty ? "none" : string.Join(", ", _byActorName.Keys.Order(StringComparer.Ordinal)))}).");

    /// <summary>The extension's id.</summary>
    internal sealed class Id : ExtensionIdProvider<ModelLibraries>
    {
        public override ModelLibraries CreateExtension(ExtendedActorSystem system) => new();
    }
}
