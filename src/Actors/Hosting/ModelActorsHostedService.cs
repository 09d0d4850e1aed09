using Microsoft.Extensions.Hosting;

namespace ModelActors.Hosting;

/// <summary>
/// The hosted service of <see cref="ModelActorsServiceCollectionExtensions.AddModelActors"/>: makes the
/// library in the host's actor system, loads the required models when the host starts, drains when it stops.
/// </summary>
internal sealed class ModelActorsHostedService(ModelLibrary library) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => HostedLibrary.LoadAsync(library, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => library.StopAsync(cancellationToken);
}
