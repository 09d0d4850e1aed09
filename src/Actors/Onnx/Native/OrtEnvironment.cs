using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModelActors.Onnx.Native;

/// <summary>
/// The process-wide ONNX Runtime environment (a refcounted native singleton, ORT.md pitfall 10): created
/// once, never released while the process runs, with ORT's own log lines routed to an <see cref="ILogger"/>.
/// Also holds the default CPU allocator and memory info every tensor uses.
/// </summary>
internal static unsafe class OrtEnvironment
{
    private static readonly Lock Gate = new();
    private static ILogger s_logger = NullLogger.Instance;
    private static nint s_env;
    private static nint s_allocator;
    private static nint s_cpuMemory;

    /// <summary>The environment handle (created on first use).</summary>
    public static nint Handle
    {
        get
        {
            EnsureCreated();
            return s_env;
        }
    }

    /// <summary>ORT's default CPU allocator: never freed (ORT.md pitfall 12).</summary>
    public static nint Allocator
    {
        get
        {
            EnsureCreated();
            return s_allocator;
        }
    }

    /// <summary>CPU memory info for tensors over managed buffers.</summary>
    public static nint CpuMemory
    {
        get
        {
            EnsureCreated();
            return s_cpuMemory;
        }
    }

    /// <summary>Routes ORT's log lines (warnings and above) to <paramref name="logger"/>; the latest logger wins.</summary>
    public static void UseLogger(ILogger logger) => Volatile.Write(ref s_logger, logger ?? NullLogger.Instance);

    private static void EnsureCreated()
    {
        if (s_env != 0)
        {
            return;
        }

        lock (Gate)
        {
            if (s_env != 0)
            {
                return;
            }

            OrtApi.Load();
            nint env;
            fixed (byte* logId = "ModelActors\0"u8)
            {
                OrtApi.Check(OrtApi.CreateEnvWithCustomLogger(&Log, 2, logId, &env));
            }

            OrtApi.Check(OrtApi.SetLanguageProjection(env, 2));
            nint allocator;
            OrtApi.Check(OrtApi.GetAllocatorWithDefaultOptions(&allocator));
            nint memory;
            OrtApi.Check(OrtApi.CreateCpuMemoryInfo(1, 0, &memory));
            s_allocator = allocator;
            s_cpuMemory = memory;
            s_env = env;
        }
    }

    /// <summary>ORT's logging callback: may run on ORT's threads, several at once; must never throw into native code.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Log(nint param, int severity, byte* category, byte* logId, byte* location, byte* message)
    {
        try
        {
            var level = severity switch
            {
                0 => LogLevel.Trace,
                1 => LogLevel.Debug,
                2 => LogLevel.Warning,
                3 => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            var logger = Volatile.Read(ref s_logger);
            if (logger.IsEnabled(level))
            {
#pragma warning disable CA1848, CA2254 // ORT's messages are free text: they arrive already formatted.
                logger.Log(level, "ONNX Runtime [{Category}] {Location}: {Message}", Marshal.PtrToStringUTF8((nint)category), Marshal.PtrToStringUTF8((nint)location), Marshal.PtrToStringUTF8((nint)message));
#pragma warning restore CA1848, CA2254
            }
        }
        catch (Exception)
        {
            // Never let an exception cross into native code.
        }
    }
}
