using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Logging;

namespace ModelActors.Hosting;

/// <summary>
/// What both hosting forms (<see cref="ModelActorsAkkaHostingExtensions.WithModelActors"/> and
/// <see cref="ModelActorsServiceCollectionExtensions.AddModelActors"/>) do with a library: make it in the
/// host's actor system, put its actors into Akka.Hosting's <see cref="ActorRegistry"/>, and load the
/// required models at start, failing loudly with the model's name.
/// </summary>
internal static partial class HostedLibrary
{
    /// <summary>Makes the library in <paramref name="system"/> with the host's services and registers its actors.</summary>
    public static ModelLibrary Create(ModelLibraryBuilder builder, ActorSystem system, IServiceProvider services)
    {
        var library = builder.UseHost(services, system).Build();
        Register(library, ActorRegistry.For(system));
        return library;
    }

    /// <summary>
    /// Registers the library actor under the key <see cref="ModelLibrary"/> and each model's actor under
    /// its model class, when that class is registered under one name only (a class with several
    /// configurations, such as <c>OnnxModel</c>, is reached by name with <see cref="ModelLibrary.RouterOf"/>).
    /// A key another library already holds is left to it.
    /// </summary>
    public static void Register(ModelLibrary library, ActorRegistry registry)
    {
        registry.TryRegister(typeof(ModelLibrary), library.LibraryActor);
        var byClass = library.ModelNames.GroupBy(name => library.Entry(name).Definition.ModelType);
        foreach (var group in byClass.Where(g => g.Count() == 1))
        {
            registry.TryRegister(group.Key, library.RouterOf(group.Single()));
        }
    }

    /// <summary>Loads the required models; a failure is logged once, naming the model, and rethrown so the host does not start.</summary>
    public static async Task LoadAsync(ModelLibrary library, CancellationToken cancellationToken)
    {
        var logger = library.LoggerFactory.CreateLogger(typeof(HostedLibrary).FullName!);
        try
        {
            await library.LoadAsync(cancellationToken).ConfigureAwait(false);
            LogStarted(logger, library.ModelNames.Count, library.ActorSystem.Name);
        }
        catch (ModelLoadException exception)
        {
            LogStartFailed(logger, exception.ModelName, exception);
            throw;
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "ModelActors started with {Count} model(s) in actor system '{System}'")]
    private static partial void LogStarted(ILogger logger, int count, string system);

    [LoggerMessage(EventId = 301, Level = LogLevel.Critical, Message = "ModelActors could not start: required model '{Model}' failed to load")]
    private static partial void LogStartFailed(ILogger logger, string model, Exception exception);
}
