using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ModelActors.Hosting;

/// <summary>Loads the required models when the host starts and drains them when it stops.</summary>
internal sealed partial class ModelActorsHostedService(ModelLibrary library, ILogger<ModelActorsHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await library.LoadAsync(cancellationToken).ConfigureAwait(false);
            LogStarted(logger, library.ModelNames.Count);
        }
        catch (ModelLoadException exception)
        {
            LogStartFailed(logger, exception.ModelName, exception);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => library.StopAsync(cancellationToken);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "ModelActors started with {Count} model(s)")]
    private static partial void LogStarted(ILogger logger, int count);

    [LoggerMessage(EventId = 301, Level = LogLevel.Critical, Message = "ModelActors could not start: required model '{Model}' failed to load")]
    private static partial void LogStartFailed(ILogger logger, string model, Exception exception);
}
