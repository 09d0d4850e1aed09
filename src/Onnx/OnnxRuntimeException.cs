namespace ModelActors.Onnx;

/// <summary>ONNX Runtime's error codes (<c>OrtErrorCode</c>); codes newer than this list still reach callers as their number.</summary>
public enum OrtErrorCode
{
    /// <summary>ORT_OK.</summary>
    Ok = 0,

    /// <summary>ORT_FAIL: a kernel failed, or a run was terminated.</summary>
    Fail = 1,

    /// <summary>ORT_INVALID_ARGUMENT: a bad name, type, shape or buffer size.</summary>
    InvalidArgument = 2,

    /// <summary>ORT_NO_SUCHFILE: the model file does not exist.</summary>
    NoSuchFile = 3,

    /// <summary>ORT_NO_MODEL.</summary>
    NoModel = 4,

    /// <summary>ORT_ENGINE_ERROR.</summary>
    EngineError = 5,

    /// <summary>ORT_RUNTIME_EXCEPTION.</summary>
    RuntimeException = 6,

    /// <summary>ORT_INVALID_PROTOBUF: the model bytes are not a valid ONNX model.</summary>
    InvalidProtobuf = 7,

    /// <summary>ORT_MODEL_LOADED (a wrong session state).</summary>
    ModelLoaded = 8,

    /// <summary>ORT_NOT_IMPLEMENTED.</summary>
    NotImplemented = 9,

    /// <summary>ORT_INVALID_GRAPH.</summary>
    InvalidGraph = 10,

    /// <summary>ORT_EP_FAIL.</summary>
    ExecutionProviderFail = 11,

    /// <summary>ORT_MODEL_LOAD_CANCELED.</summary>
    ModelLoadCanceled = 12,

    /// <summary>ORT_MODEL_REQUIRES_COMPILATION.</summary>
    ModelRequiresCompilation = 13,

    /// <summary>ORT_NOT_FOUND.</summary>
    NotFound = 14,

    /// <summary>ORT_DEVICE_RESET.</summary>
    DeviceReset = 15,
}

/// <summary>An error ONNX Runtime reported: its code (<see cref="ErrorCode"/>, possibly a number this enum does not name) and message.</summary>
public sealed class OnnxRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">ONNX Runtime's code.</param>
    /// <param name="message">ONNX Runtime's message.</param>
    public OnnxRuntimeException(OrtErrorCode errorCode, string message)
        : base($"[{(Enum.IsDefined(errorCode) ? errorCode.ToString() : $"OrtErrorCode {(int)errorCode}")}] {message}")
    {
        ErrorCode = errorCode;
        NativeMessage = message;
    }

    /// <summary>ONNX Runtime's error code.</summary>
    public OrtErrorCode ErrorCode { get; }

    /// <summary>ONNX Runtime's message, unprefixed.</summary>
    public string NativeMessage { get; }
}
