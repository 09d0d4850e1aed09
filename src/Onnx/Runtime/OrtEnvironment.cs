using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Onnx.Runtime;

/// <summary>
/// The process-wide ONNX Runtime environment (the package's <c>OrtEnv</c> singleton), created here, once,
/// before anything else touches ONNX Runtime: the log callback can be set only when the environment is
/// created, and the first <c>SessionOptions</c> would create it without one. ORT's log lines go to a
/// swappable <see cref="ILogger"/>; telemetry is off unless <see cref="InferenceSession.AllowTelemetry"/>.
/// </summary>
internal static class OrtEnvironment
{
    private static readonly Lock Gate = new();

    // Kept in a static field: native code holds the delegate for the life of the process.
    private static readonly Ort.DOrtLoggingFunction Callback = Log;
    private static ILogger s_logger = NullLogger.Instance;
    private static volatile bool s_created;

    /// <summary>Whether ONNX Runtime may write its telemetry files (read once, when the environment is created).</summary>
    public static bool AllowTelemetry { get; set; }

    /// <summary>Routes ORT's log lines (warnings and above) to <paramref name="logger"/>; the latest logger wins.</summary>
    public static void UseLogger(ILogger logger) => Volatile.Write(ref s_logger, logger ?? NullLogger.Instance);

    /// <summary>Creates the environment if it does not exist yet.</summary>
    public static void EnsureCreated()
    {
        if (s_created)
        {
            return;
        }

        lock (Gate)
        {
            if (s_created)
            {
                return;
            }

            if (!AllowTelemetry)
            {
                // ORT writes a device id and an event queue under the user's cache folder unless this is set
                // before its first use; DisableTelemetryEvents() does not stop that.
                Environment.SetEnvironmentVariable("ORT_DISABLE_TELEMETRY", "1");
            }

            if (!Ort.OrtEnv.IsCreated)
            {
                var options = new Ort.EnvironmentCreationOptions
                {
                    logId = "ModelActors",
                    logLevel = Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                    loggingFunction = Callback,
                };
                Ort.OrtEnv.CreateInstanceWithOptions(ref options);
            }

            s_created = true;
        }
    }

    /// <summary>ORT's logging callback: may run on ORT's threads, several at once; never throws.</summary>
    private static void Log(nint param, Ort.OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        try
        {
            var level = severity switch
            {
                Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE => LogLevel.Trace,
                Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO => LogLevel.Debug,
                Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => LogLevel.Warning,
                Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            var logger = Volatile.Read(ref s_logger);
            if (logger.IsEnabled(level))
            {
#pragma warning disable CA1848, CA2254 // ORT's messages are free text: they arrive already formatted.
                logger.Log(level, "ONNX Runtime [{Category}] {Location}: {Message}", category, codeLocation, message);
#pragma warning restore CA1848, CA2254
            }
        }
        catch (Exception)
        {
            // Never let an exception cross into native code.
        }
    }
}
