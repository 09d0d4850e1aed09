using Akka.Actor;

namespace ModelActors.Actors;

/// <summary>How a model's replicas (and their routers) are supervised.</summary>
internal static class ReplicaSupervision
{
    /// <summary>
    /// Resume: a prediction failure never reaches supervision, and anything else keeps the loaded instance. An actor that
    /// could not be made, or was killed, stops instead: Akka turns Resume of an actor that failed in its constructor into
    /// creating it again, which would fail again, forever.
    /// </summary>
    public static readonly SupervisorStrategy Strategy = new OneForOneStrategy(exception =>
        exception is ActorInitializationException or ActorKilledException or DeathPactException ? Directive.Stop : Directive.Resume);
}
