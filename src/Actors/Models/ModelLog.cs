using Microsoft.Extensions.Logging;

namespace ModelActors.Models;

/// <summary>The model library's log messages.</summary>
internal static partial class ModelLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Model '{Model}' loaded: {Replicas} replica(s) in {Milliseconds:0.0} ms")]
    public static partial void Loaded(ILogger logger, string model, int replicas, double milliseconds);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Model library stopping: draining {Count} model(s)")]
    public static partial void Stopping(ILogger logger, int count);
}
