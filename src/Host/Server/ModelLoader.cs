using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace ModelActors.Host.Server;

/// <summary>
/// Loads the server's models in the background, one at a time (dependencies first), so that the server answers
/// while they load: live at once, ready when the required ones are. A model that fails to load is logged with its
/// error and answers 503 (its ready route and its requests, at once) while the others keep serving; it is tried again
/// in the background every <see cref="ServerOptions.RetryFailedModels"/>, so a model whose cause went away recovers
/// without a request having to wait for its load.
/// </summary>
public sealed partial class ModelLoader(ModelLibrary library, ModelVersions versions, IOptions<ServerOptions> options, ILogger<ModelLoader> logger) : IHostedService
{
    // Not disposed: it holds no timer, and the host may call StopAsync again after disposing its services.
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every model has been tried once (loaded or failed); never faults. Background retries go on after it.</summary>
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
        foreach (var (model, notes) in versions.Notes)
        {
            foreach (var note in notes)
            {
                LogConfigurationNote(logger, model, note);
            }
        }

        try
        {
            // Models this node hosts load one at a time; models other nodes of a cluster host open (together) once a node
            // that hosts them is up, and must not hold the local ones back.
            var names = library.ModelNames;
            var local = names.Where(library.HostsHere).ToList();
            var elsewhere = names.Except(local).ToList();
            foreach (var name in local)
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

            // Not awaited: a model no node hosts yet would hold the summary and the retries of failed local models back.
            foreach (var name in elsewhere)
            {
                _ = library.LoadModelAsync(name, _stopping.Token).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            }

            LogDone(logger, local.Count - failed.Count, local.Count, clock.Elapsed.TotalMilliseconds,
                failed.Count == 0 ? "none" : string.Join(", ", failed),
                elsewhere.Count == 0 ? string.Empty : $"; {elsewhere.Count} hosted on other nodes open when a node that hosts them is up");
            _done.TrySetResult();
            await RetryFailedAsync().ConfigureAwait(false);
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

    /// <summary>Tries the failed models again, every interval, until none is failed or the server stops.</summary>
    private async Task RetryFailedAsync()
    {
        var interval = options.Value.RetryFailedModels;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        // A repository model whose configuration cannot be served fails the same way until its files change (a poll or a
        // load request reads them again): it is not retried. Models may come and go meanwhile (the repository's actor).
        while (library.Describe().Any(Retried))
        {
            await Task.Delay(interval, _stopping.Token).ConfigureAwait(false);
            foreach (var model in library.Describe().Where(Retried))
            {
                try
                {
                    await library.LoadModelAsync(model.Name, _stopping.Token).ConfigureAwait(false);
                    LogRecovered(logger, model.Name);
                }
                catch (ModelLoadException exception)
                {
                    LogStillFailing(logger, model.Name, interval.TotalSeconds, exception.Message);
                }
                catch (ModelNotFoundException)
                {
                    // Unloaded meanwhile.
                }
            }
        }
    }

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Model '{Model}': {Note}")]
    private static partial void LogConfigurationNote(ILogger logger, string model, string note);

    private static bool Retried(ModelDescription model) => model.State == ModelState.Failed && model.ModelType != typeof(Triton.UnservableModel);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Model '{Model}' loaded on a background retry")]
    private static partial void LogRecovered(ILogger logger, string model);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Model '{Model}' failed to load again; next try in {Seconds:F0} s. {Error}")]
    private static partial void LogStillFailing(ILogger logger, string model, double seconds, string error);

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Model '{Model}' failed to load; it answers 503 while the other models serve. {Error}")]
    private static partial void LogFailed(ILogger logger, string model, string error);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "{Loaded} of {Total} models loaded in {Milliseconds:F0} ms (failed: {Failed}){Elsewhere}")]
    private static partial void LogDone(ILogger logger, int loaded, int total, double milliseconds, string failed, string elsewhere);
}
