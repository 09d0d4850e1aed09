using System.Diagnostics;

namespace ModelActors.Host.Server;

/// <summary>
/// Loads the server's models in the background, one at a time (dependencies first), so that the server answers
/// while they load: live at once, ready when the required ones are. A model that fails to load is logged with its
/// error and answers 503 (its ready route and its requests) while the others keep serving.
/// </summary>
public sealed partial class ModelLoader(ModelLibrary library, ILogger<ModelLoader> logger) : IHostedService
{
    // Not disposed: it holds no timer, and the host may call StopAsync again after disposing its services.
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every model has been tried (loaded or failed); never faults.</summary>
    public Task Completion => _done.Task;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(LoadAllAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

    private async Task LoadAllAsync()
    {
        var clock = Stopwatch.StartNew();
        var failed = new List<string>();
        try
        {
            foreach (var name in library.ModelNames)
            {
                try
                {
                    await library.LoadModelAsync(name, _stopping.Token).ConfigureAwait(false);
                }
                catch (ModelLoadException exception)
                {
                    failed.Add(name);
                    LogFailed(logger, name, exception.Message);
                }
            }

            LogDone(logger, library.ModelNames.Count - failed.Count, library.ModelNames.Count, clock.Elapsed.TotalMilliseconds,
                failed.Count == 0 ? "none" : string.Join(", ", failed));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutdown began while loading.
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Model '{Model}' failed to load; it answers 503 while the other models serve. {Error}")]
    private static partial void LogFailed(ILogger logger, string model, string error);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "{Loaded} of {Total} models loaded in {Milliseconds:F0} ms (failed: {Failed})")]
    private static partial void LogDone(ILogger logger, int loaded, int total, double milliseconds, string failed);
}
