using System.Runtime.InteropServices;

namespace ModelActors.Onnx.Native;

/// <summary>
/// The ONNX Runtime 1.30 C API table (<c>OrtGetApiBase()->GetApi(30)</c>): each member calls one slot,
/// by the indices in shared/ORT.md §1.1. Loaded once per process; <see cref="Load"/> refuses any library
/// but 1.30.x and proves the slot mapping with a self-test before anything else is called.
/// </summary>
internal static unsafe class OrtApi
{
    public const uint ApiVersion = 30;
    public const string LibraryFileName = "libonnxruntime.so.1";

    private static readonly Lock Gate = new();
    private static nint* s_api;
    private static string? s_version;

    /// <summary>The library's version string (e.g. "1.30.0").</summary>
    public static string Version => s_version ?? throw new InvalidOperationException("ONNX Runtime is not loaded.");

    /// <summary>Loads the native library (next to the application, or from MODELACTORS_ONNXRUNTIME), checks its version and runs the self-test.</summary>
    public static void Load()
    {
        if (s_api is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (s_api is not null)
            {
                return;
            }

            var path = Environment.GetEnvironmentVariable("MODELACTORS_ONNXRUNTIME") ?? Path.Combine(AppContext.BaseDirectory, LibraryFileName);
            if (!NativeLibrary.TryLoad(path, out var handle))
            {
                throw new DllNotFoundException($"ONNX Runtime's native library was not found at '{path}'. The build copies it there (build/fetch-onnxruntime.sh); or set MODELACTORS_ONNXRUNTIME to its path.");
            }

            var getApiBase = (delegate* unmanaged[Cdecl]<nint*>)NativeLibrary.GetExport(handle, "OrtGetApiBase");
            var apiBase = getApiBase();
            var version = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint>)apiBase[1])()) ?? string.Empty;
            if (!version.StartsWith("1.30.", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"ModelActors binds ONNX Runtime 1.30.x, but '{path}' is version {version}.");
            }

            var table = ((delegate* unmanaged[Cdecl]<uint, nint*>)apiBase[0])(ApiVersion);
            if (table is null)
            {
                throw new NotSupportedException($"ONNX Runtime {version} at '{path}' does not offer API version {ApiVersion}.");
            }

            SelfTest(table);
            s_version = version;
            s_api = table;
        }
    }

    /// <summary>Proves the slot mapping (ORT.md pitfall 1): CreateStatus/GetErrorCode/GetErrorMessage round-trip, and the build info string.</summary>
    private static void SelfTest(nint* table)
    {
        nint status;
        fixed (byte* message = "modelactors-self-test\0"u8)
        {
            status = ((delegate* unmanaged[Cdecl]<int, byte*, nint>)table[0])(2, message);
        }

        try
        {
            var code = ((delegate* unmanaged[Cdecl]<nint, int>)table[1])(status);
            var echoed = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint, nint>)table[2])(status));
            var buildInfo = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint>)table[254])()) ?? string.Empty;
            if (code != 2 || echoed != "modelactors-self-test" || !buildInfo.StartsWith("ORT Build Info", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"ONNX Runtime's API table does not match the expected slot layout (self-test read code {code}, message '{echoed}', build info '{buildInfo}').");
            }
        }
        finally
        {
            ((delegate* unmanaged[Cdecl]<nint, void>)table[93])(status);
        }
    }

    private static nint* Api => s_api is not null ? s_api : throw new InvalidOperationException("ONNX Runtime is not loaded.");

    /// <summary>Throws <see cref="OnnxRuntimeException"/> for a non-null status (after copying its message and releasing it).</summary>
    public static void Check(nint status)
    {
        if (status == 0)
        {
            return;
        }

        int code;
        string message;
        try
        {
            code = ((delegate* unmanaged[Cdecl]<nint, int>)Api[1])(status);
            message = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint, nint>)Api[2])(status)) ?? string.Empty;
        }
        finally
        {
            ReleaseStatus(status);
        }

        throw new OnnxRuntimeException((OrtErrorCode)code, message);
    }

    public static void ReleaseStatus(nint status) => ((delegate* unmanaged[Cdecl]<nint, void>)Api[93])(status);

    // Environment
    public static nint CreateEnvWithCustomLogger(delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, byte*, byte*, void> logger, int level, byte* logId, nint* env) =>
        ((delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, byte*, byte*, void>, nint, int, byte*, nint*, nint>)Api[4])(logger, 0, level, logId, env);

    public static nint SetLanguageProjection(nint env, int projection) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)Api[145])(env, projection);

    // Sessions and options
    public static nint CreateSession(nint env, byte* path, nint options, nint* session) => ((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)Api[7])(env, path, options, session);

    public static nint CreateSessionFromArray(nint env, byte* data, nuint length, nint options, nint* session) => ((delegate* unmanaged[Cdecl]<nint, byte*, nuint, nint, nint*, nint>)Api[8])(env, data, length, options, session);

    public static nint Run(nint session, nint runOptions, nint* inputNames, nint* inputs, nuint inputCount, nint* outputNames, nuint outputCount, nint* outputs) =>
        ((delegate* unmanaged[Cdecl]<nint, nint, nint*, nint*, nuint, nint*, nuint, nint*, nint>)Api[9])(session, runOptions, inputNames, inputs, inputCount, outputNames, outputCount, outputs);

    public static nint CreateSessionOptions(nint* options) => ((delegate* unmanaged[Cdecl]<nint*, nint>)Api[10])(options);

    public static nint SetSessionExecutionMode(nint options, int mode) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)Api[13])(options, mode);

    public static nint SetSessionGraphOptimizationLevel(nint options, int level) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)Api[23])(options, level);

    public static nint SetIntraOpNumThreads(nint options, int threads) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)Api[24])(options, threads);

    public static nint SetInterOpNumThreads(nint options, int threads) => ((delegate* unmanaged[Cdecl]<nint, int, nint>)Api[25])(options, threads);

    public static nint AddSessionConfigEntry(nint options, byte* key, byte* value) => ((delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)Api[130])(options, key, value);

    public static void ReleaseSessionOptions(nint options) => ((delegate* unmanaged[Cdecl]<nint, void>)Api[100])(options);

    public static void ReleaseSession(nint session) => ((delegate* unmanaged[Cdecl]<nint, void>)Api[95])(session);

    // Metadata
    public static nint SessionGetInputCount(nint session, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Api[30])(session, count);

    public static nint SessionGetOutputCount(nint session, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Api[31])(session, count);

    public static nint SessionGetInputTypeInfo(nint session, nuint index, nint* info) => ((delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)Api[33])(session, index, info);

    public static nint SessionGetOutputTypeInfo(nint session, nuint index, nint* info) => ((delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)Api[34])(session, index, info);

    public static nint SessionGetInputName(nint session, nuint index, nint allocator, nint* name) => ((delegate* unmanaged[Cdecl]<nint, nuint, nint, nint*, nint>)Api[36])(session, index, allocator, name);

    public static nint SessionGetOutputName(nint session, nuint index, nint allocator, nint* name) => ((delegate* unmanaged[Cdecl]<nint, nuint, nint, nint*, nint>)Api[37])(session, index, allocator, name);

    public static nint CastTypeInfoToTensorInfo(nint typeInfo, nint* tensorInfo) => ((delegate* unmanaged[Cdecl]<nint, nint*, nint>)Api[55])(typeInfo, tensorInfo);

    public static nint GetOnnxTypeFromTypeInfo(nint typeInfo, int* type) => ((delegate* unmanaged[Cdecl]<nint, int*, nint>)Api[56])(typeInfo, type);

    public static nint GetTensorElementType(nint info, int* type) => ((delegate* unmanaged[Cdecl]<nint, int*, nint>)Api[60])(info, type);

    public static nint GetDimensionsCount(nint info, nuint* count) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Api[61])(info, count);

    public static nint GetDimensions(nint info, long* dims, nuint count) => ((delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)Api[62])(info, dims, count);

    public static nint GetSymbolicDimensions(nint info, nint* names, nuint count) => ((delegate* unmanaged[Cdecl]<nint, nint*, nuint, nint>)Api[63])(info, names, count);

    public static nint GetTensorTypeAndShape(nint value, nint* info) => ((delegate* unmanaged[Cdecl]<nint, nint*, nint>)Api[65])(value, info);

    public static nint GetValueType(nint value, int* type) => ((delegate* unmanaged[Cdecl]<nint, int*, nint>)Api[67])(value, type);

    public static void ReleaseTypeInfo(nint info) => ((delegate* unmanaged[Cdecl]<nint, void>)Api[98])(info);

    public static void ReleaseTensorTypeAndShapeInfo(nint info) => ((delegate* unmanaged[Cdecl]<nint, void>)Api[99])(info);

    // Values
    public static nint CreateTensorAsOrtValue(nint allocator, long* shape, nuint rank, int type, nint* value) => ((delegate* unmanaged[Cdecl]<nint, long*, nuint, int, nint*, nint>)Api[48])(allocator, shape, rank, type, value);

    public static nint CreateTensorWithDataAsOrtValue(nint memoryInfo, void* data, nuint bytes, long* shape, nuint rank, int type, nint* value) =>
        ((delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)Api[49])(memoryInfo, data, bytes, shape, rank, type, value);

    public static nint GetTensorMutableData(nint value, void** data) => ((delegate* unmanaged[Cdecl]<nint, void**, nint>)Api[51])(value, data);

    public static nint FillStringTensor(nint value, nint* strings, nuint count) => ((delegate* unmanaged[Cdecl]<nint, nint*, nuint, nint>)Api[52])(value, strings, count);

    public static nint GetStringTensorDataLength(nint value, nuint* length) => ((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Api[53])(value, length);

    public static nint GetStringTensorContent(nint value, byte* buffer, nuint length, nuint* offsets, nuint count) =>
        ((delegate* unmanaged[Cdecl]<nint, byte*, nuint, nuint*, nuint, nint>)Api[54])(value, buffer, length, offsets, count);

    public static void ReleaseValue(nint value) => ((delegate* unmanaged[Cdecl]<nint, void>)Api[96])(value);

    // Memory and allocators
    public static nint CreateCpuMemoryInfo(int allocatorType, int memType, nint* info) => ((delegate* unmanaged[Cdecl]<int, int, nint*, nint>)Api[69])(allocatorType, memType, info);

    public static nint AllocatorFree(nint allocator, nint pointer) => ((delegate* unmanaged[Cdecl]<nint, nint, nint>)Api[76])(allocator, pointer);

    public static nint GetAllocatorWithDefaultOptions(nint* allocator) => ((delegate* unmanaged[Cdecl]<nint*, nint>)Api[78])(allocator);

    // Run options (cancellation)
    public static nint CreateRunOptions(nint* options) => ((delegate* unmanaged[Cdecl]<nint*, nint>)Api[39])(options);

    public static nint RunOptionsSetTerminate(nint options) => ((delegate* unmanaged[Cdecl]<nint, nint>)Api[46])(options);

    public static void ReleaseRunOptions(nint options) => ((delegate* unmanaged[Cdecl]<nint, void>)Api[97])(options);
}
