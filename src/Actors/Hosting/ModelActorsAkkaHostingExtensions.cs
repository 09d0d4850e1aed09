using Akka;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using ModelActors.Actors;

namespace ModelActors.Hosting;

/// <summary>Adds ModelActors to an actor system configured with Akka.Hosting.</summary>
public static class ModelActorsAkkaHostingExtensions
{
    /// <summary>
    /// Starts a <see cref="ModelLibrary"/> in the actor system being configured, next to the
    /// application's own actors: <c>services.AddAkka("app", (akka, sp) =&gt; akka.WithModelActors(m =&gt; m.AddModel&lt;T&gt;()))</c>.
    /// Its library actor and model actors go into the <c>ActorRegistry</c> (keys: <see cref="ModelLibrary"/>
    /// and each model class registered under one name; actors started after this one can <c>Get</c> them,
    /// earlier ones <c>GetAsync</c>); the library is <see cref="ModelLibrary.For(ActorSystem)"/>. The
    /// required models load while the host starts (after every actor starter: start fails, naming the
    /// model, when one fails), and host stop (CoordinatedShutdown, phase <c>service-requests-done</c>)
    /// drains accepted work before the actors stop. This delegate runs when the actor system is first
    /// resolved, after the service container is built, so it cannot add keyed clients; use
    /// <see cref="ModelActorsServiceCollectionExtensions.AddModelActors"/> for those.
    /// </summary>
    /// <param name="builder">Akka.Hosting's builder.</param>
    /// <param name="configure">Registers models and options on the library builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ModelRegistrationException">The configurations are inconsistent.</exception>
    public static AkkaConfigurationBuilder WithModelActors(this AkkaConfigurationBuilder builder, Action<ModelLibraryBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var models = new ModelLibraryBuilder();
        configure(models);
        var (_, definitions) = models.BuildDefinitions();
        models.ApplyAkka(builder, [.. definitions.Keys]);

        ModelLibrary? library = null;
        return builder
            .AddHocon(ModelActorsConfig.Default, HoconAddMode.Append)
            .WithActors((system, _, resolver) =>
            {
                library = HostedLibrary.Create(models, system, resolver.GetService<IServiceProvider>());
                var hosted = library;
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, $"dispose-{hosted.Options.ActorName}", async () =>
                {
                    await hosted.DisposeAsync().ConfigureAwait(false);
                    return Done.Instance;
                });
            })
            .AddStartup((_, _) => HostedLibrary.LoadAsync(library!, CancellationToken.None));
    }
}
