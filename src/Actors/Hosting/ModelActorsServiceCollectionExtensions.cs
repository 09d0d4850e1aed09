using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ModelActors.Actors;

namespace ModelActors.Hosting;

/// <summary>Registers ModelActors with Microsoft.Extensions.DependencyInjection and the generic host, on Akka.Hosting.</summary>
public static class ModelActorsServiceCollectionExtensions
{
    /// <summary>The name of the actor system <see cref="AddModelActors"/> starts when the services have no <c>AddAkka</c>.</summary>
    public const string DefaultActorSystemName = "model-actors";

    /// <summary>
    /// The one-line form. Registers a <see cref="ModelLibrary"/> singleton living in the host's Akka.NET
    /// actor system: the one of the application's own <c>services.AddAkka(...)</c> (called before or
    /// after this), or else one this call sets up through Akka.Hosting (named
    /// <see cref="DefaultActorSystemName"/>, Akka's log to the host's logging). Also registers every
    /// model's clients as keyed services (<c>[FromKeyedServices("name")] IModelClient&lt;TItem, TResult&gt;</c>
    /// and <c>ISyncModelClient&lt;TItem, TResult&gt;</c>), the library and model actors in Akka.Hosting's
    /// <c>ActorRegistry</c> (keys: <see cref="ModelLibrary"/> and each model class registered under one
    /// name), and a hosted service that loads the required models at start (start fails, naming the
    /// model, when one fails) and drains accepted work on stop.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Registers models and options on the library builder.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ModelRegistrationException">The configurations are inconsistent (reported here, at registration).</exception>
    public static IServiceCollection AddModelActors(this IServiceCollection services, Action<ModelLibraryBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new ModelLibraryBuilder();
        configure(builder);
        var (options, definitions) = builder.BuildDefinitions();

        // A later AddAkka of the application's own replaces this system's registration (Akka.Hosting keeps
        // the last ActorSystem and builder, and one AkkaHostedService), so the library joins that system.
        if (!services.Any(d => d.ServiceType == typeof(AkkaConfigurationBuilder)))
        {
            string[] models = [.. definitions.Keys];
            services.AddAkka(DefaultActorSystemName, (akka, _) =>
            {
                akka.AddHocon(HostOwnsShutdown(options.DrainTimeout), HoconAddMode.Prepend).AddHocon(ActorSystems.Shared, HoconAddMode.Append);
                builder.ApplyAkka(akka, models);
            });
        }

        services.AddSingleton(sp => HostedLibrary.Create(builder, sp.GetRequiredService<ActorSystem>(), sp));
        services.AddHostedService<ModelActorsHostedService>();

        foreach (var definition in definitions.Values)
        {
            var name = definition.Name;
            var asyncType = typeof(IModelClient<,>).MakeGenericType(definition.ItemType, definition.ResultType);
            var syncType = typeof(ISyncModelClient<,>).MakeGenericType(definition.ItemType, definition.ResultType);
            services.AddKeyedSingleton(asyncType, name, (sp, _) => sp.GetRequiredService<ModelLibrary>().Entry(name).AsyncClient);
            services.AddKeyedSingleton(syncType, name, (sp, _) => sp.GetRequiredService<ModelLibrary>().Entry(name).SyncClient);
        }

        return services;
    }

    /// <summary>
    /// The system this registration starts is stopped by the host, in the host's order, never by the process's exit
    /// signal. Akka's CLR exit hook is off: on SIGTERM it would run CoordinatedShutdown at once — draining and
    /// stopping every model while the web server still takes requests (a lame duck would answer only 503s, in-flight
    /// HTTP requests would fail) — whereas the host first runs its stopping services, stops Kestrel, then the
    /// library's hosted service drains the models, and Akka.Hosting's service runs CoordinatedShutdown last.
    /// The phase that drains models lasts as long as the library's <see cref="ModelLibraryOptions.DrainTimeout"/>
    /// (plus a margin) instead of Akka's default 5 s, so host stop waits for accepted work as <c>DisposeAsync</c> does.
    /// </summary>
    internal static Akka.Configuration.Config HostOwnsShutdown(TimeSpan drainTimeout) =>
        Akka.Configuration.ConfigurationFactory.ParseString(
            $"""
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            akka.coordinated-shutdown.phases.service-requests-done.timeout = {(long)(drainTimeout + TimeSpan.FromSeconds(5)).TotalMilliseconds}ms
            """);
}
