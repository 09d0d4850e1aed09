using Microsoft.Extensions.Logging;

namespace ModelActors.Runtime;

/// <summary>The actor layer's log messages.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Actor {Path} failed to start (attempt {Attempt}); restarting in {BackoffMs} ms")]
    public static partial void StartRetry(ILogger logger, string path, int attempt, double backoffMs, Exception exception);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Actor {Path} failed to start after {Attempts} attempt(s); giving up")]
    public static partial void StartFailed(ILogger logger, string path, int attempts, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Actor {Path} failed handling a message; directive {Directive}")]
    public static partial void HandlerFailed(ILogger logger, string path, SupervisorDirective directive, Exception exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Actor {Path} restarted")]
    public static partial void Restarted(ILogger logger, string path);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Actor {Path} did not drain before the deadline; {Count} queued message(s) sent to dead letters")]
    public static partial void DrainAborted(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Actor {Path} failed in PostStop")]
    public static partial void PostStopFailed(ILogger logger, string path, Exception exception);
}
