using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;

namespace ModelActors.Actors;

/// <summary>Creates the actor system a library runs in when it is given none (the embedded default).</summary>
internal static class ActorSystems
{
    /// <summary>
    /// What every actor system ModelActors creates gets: Akka's own log goes to
    /// <see cref="Microsoft.Extensions.Logging"/> (Akka.Hosting's logger), dead letters are not logged (the
    /// library fails them with a shutdown error instead), and the ModelActors dispatchers are defined.
    /// </summary>
    internal static readonly Config Shared = ConfigurationFactory.ParseString(
        """
        akka {
          loggers = ["Akka.Hosting.Logging.LoggerFactoryLogger, Akka.Hosting"]
          loglevel = INFO
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
        }
        """).WithFallback(ModelActorsConfig.Default);

    /// <summary>The embedded system also leaves the process's exit to its owner (the library's dispose).</summary>
    private static readonly Config Embedded = ConfigurationFactory.ParseString(
        "akka.coordinated-shutdown.run-by-clr-shutdown-hook = off").WithFallback(Shared);

    /// <summary>Creates an actor system named <c>model-actors</c> that logs to <paramref name="loggerFactory"/>.</summary>
    public static ActorSystem CreateEmbedded(ILoggerFactory loggerFactory)
    {
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(Embedded), new LoggerFactorySetup(loggerFactory));
        return ActorSystem.Create("model-actors", setup);
    }
}
