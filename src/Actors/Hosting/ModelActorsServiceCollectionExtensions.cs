using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModelActors.Hosting;

/// <summary>Registers ModelActors with Microsoft.Extensions.DependencyInjection and the generic host.</summary>
public static class ModelActorsServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="ModelLibrary"/> singleton, a hosted service that loads the required models
    /// at start (start fails, naming the model, when one fails) and drains them on stop, and every
    /// model's clients as keyed services: <c>[FromKeyedServices("name")] IModelClient&lt;TItem, TResult&gt;</c>
    /// and <c>ISyncModelClient&lt;TItem, TResult&gt;</c>.
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
        var (_, definitions) = builder.BuildDefinitions();

        services.AddSingleton(sp => builder
            .UseServices(sp)
            .UseLoggerFactory(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance)
            .UseTimeProvider(sp.GetService<TimeProvider>() ?? TimeProvider.System)
            .Build());
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
}
