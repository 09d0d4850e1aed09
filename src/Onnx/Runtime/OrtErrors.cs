using System.Text.RegularExpressions;
using Ort = Microsoft.ML.OnnxRuntime;

namespace ModelActors.Onnx.Runtime;

/// <summary>
/// The one place where the package's errors become the project's: the package's
/// <c>OnnxRuntimeException</c> carries its code only as an <c>[ErrorCode:Name]</c> prefix of the message,
/// and for native codes 13–15 it throws <see cref="KeyNotFoundException"/> while building the exception.
/// </summary>
internal static partial class OrtErrors
{
    /// <summary>Runs <paramref name="call"/>, turning ONNX Runtime's errors into <see cref="OnnxRuntimeException"/>.</summary>
    public static T Call<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Ort.OnnxRuntimeException exception)
        {
            throw Map(exception);
        }
        catch (KeyNotFoundException exception) when (IsFromOrt(exception))
        {
            throw Unnamed(exception);
        }
    }

    /// <summary>The project's exception for <paramref name="exception"/>: its code parsed from the prefix, the rest as the native message.</summary>
    public static OnnxRuntimeException Map(Ort.OnnxRuntimeException exception) => FromMessage(exception.Message);

    /// <summary>The project's exception for a message of the package's form, <c>[ErrorCode:Name] native message</c>.</summary>
    public static OnnxRuntimeException FromMessage(string message)
    {
        var match = Prefix().Match(message);
        if (!match.Success)
        {
            return new OnnxRuntimeException(OrtErrorCode.Fail, message);
        }

        var code = match.Groups[1].Value switch
        {
            "Ok" => OrtErrorCode.Ok,
            "Fail" => OrtErrorCode.Fail,
            "InvalidArgument" => OrtErrorCode.InvalidArgument,
            "NoSuchFile" => OrtErrorCode.NoSuchFile,
            "NoModel" => OrtErrorCode.NoModel,
            "EngineError" => OrtErrorCode.EngineError,
            "RuntimeException" => OrtErrorCode.RuntimeException,
            "InvalidProtobuf" => OrtErrorCode.InvalidProtobuf,
            "ModelLoaded" => OrtErrorCode.ModelLoaded,
            "NotImplemented" => OrtErrorCode.NotImplemented,
            "InvalidGraph" => OrtErrorCode.InvalidGraph,
            // The package names native codes 11 and 12 after older meanings.
            "ShapeInferenceNotRegistered" or "ExecutionProviderFail" or "EPFail" => OrtErrorCode.ExecutionProviderFail,
            "RequirementNotRegistered" or "ModelLoadCanceled" => OrtErrorCode.ModelLoadCanceled,
            _ => OrtErrorCode.Fail,
        };
        return new OnnxRuntimeException(code, message[match.Length..]);
    }

    /// <summary>Whether <paramref name="exception"/> was thrown inside the package (how codes 13–15 surface).</summary>
    public static bool IsFromOrt(Exception exception) =>
        exception.StackTrace?.Contains("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal) == true;

    /// <summary>The project's exception for an error code the package could not name.</summary>
    public static OnnxRuntimeException Unnamed(Exception exception) =>
        new(OrtErrorCode.Fail, $"ONNX Runtime reported an error whose code the managed package cannot name (native codes 13–15: ModelRequiresCompilation, NotFound, DeviceReset): {exception.Message}");

    [GeneratedRegex(@"^\[ErrorCode:(\w+)\] ")]
    private static partial Regex Prefix();
}
