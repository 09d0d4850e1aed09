using Microsoft.Extensions.Logging;

namespace ModelActors.Batching;

/// <summary>The batcher's log messages.</summary>
internal static partial class BatchingLog
{
    [LoggerMessage(EventId = 230, Level = LogLevel.Error, Message = "Model '{Model}': the batching graph failed; its queued requests were failed (restarted: {Restarted})")]
    public static partial void GraphFailed(ILogger logger, string model, bool restarted, Exception error);
}
