using Akka.Actor;
using Akka.Configuration;

namespace ModelActors.Actors;

/// <summary>The HOCON ModelActors adds to an actor system, and the ids it defines.</summary>
public static class ModelActorsConfig
{
    /// <summary>
    /// The dispatcher of sync models' replicas: a <c>PinnedDispatcher</c>, so each replica has a thread of
    /// its own and a blocking model call never takes a thread-pool thread.
    /// </summary>
    public const string PinnedDispatcherId = "model-actors.pinned-dispatcher";

    /// <summary>
    /// The dispatcher of async models' replicas: the .NET thread pool, except while sync-gateway callers are blocked on
    /// pool threads: then threads of its own (<see cref="StarvationSafeExecutor"/>, one per core, at least two), so that
    /// those callers (the sync gateway called from ASP.NET handlers or other pool work) cannot starve the replicas that
    /// would answer them. An async model's awaits resume here too.
    /// </summary>
    public const string AsyncDispatcherId = "model-actors.async-dispatcher";

    /// <summary>
    /// The defaults, added as a fallback: settings of the user's own configuration win. Besides the dispatchers, the
    /// serializer of the messages that cross nodes (<c>ModelRequest</c>, <c>ModelReply</c>, failures): Akka reads serializers
    /// when the system starts, so a system made without these defaults (and not through ModelActors.Cluster) sends
    /// them with Akka's default serializer.
    /// </summary>
    public static Config Default { get; } = ConfigurationFactory.ParseString(
        $$"""
        model-actors.pinned-dispatcher {
          type = PinnedDispatcher
        }
        model-actors.async-dispatcher {
          type = Dispatcher
          executor = "ModelActors.Actors.StarvationSafeExecutorConfigurator, ModelActors"
          starvation-safe-executor.thread-count = {{Math.Max(2, Environment.ProcessorCount)}}
          throughput = 30
        }
        akka.actor {
          serializers.model-actors = "ModelActors.Remote.ModelMessageSerializer, ModelActors"
          serialization-bindings {
            "ModelActors.Remote.IModelMessage, ModelActors" = model-actors
          }
          serialization-identifiers {
            "ModelActors.Remote.ModelMessageSerializer, ModelActors" = {{Remote.ModelMessageSerializer.Id}}
          }
        }
        """);

    /// <summary>Makes the ModelActors dispatcher ids resolvable in <paramref name="system"/> (idempotent).</summary>
    /// <param name="system">An actor system created with or without <see cref="Default"/>.</param>
    public static void InjectInto(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (!system.Dispatchers.HasDispatcher(PinnedDispatcherId) || !system.Dispatchers.HasDispatcher(AsyncDispatcherId))
        {
            system.Settings.InjectTopLevelFallback(Default);
        }
    }
}
