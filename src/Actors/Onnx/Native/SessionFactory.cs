using System.Runtime.InteropServices;

namespace ModelActors.Onnx.Native;

/// <summary>Creates native sessions (applying validated options) and reads their input/output metadata once, at load.</summary>
internal static unsafe class SessionFactory
{
    public static SessionHandle FromPath(string path, OnnxSessionOptions? options)
    {
        var env = OrtEnvironment.Handle;
        return WithOptions(options, so =>
        {
            nint session;
            var utf8 = Marshal.StringToCoTaskMemUTF8(path);
            try
            {
                OrtApi.Check(OrtApi.CreateSession(env, (byte*)utf8, so, &session));
            }
            finally
            {
                Marshal.FreeCoTaskMem(utf8);
            }

            return new SessionHandle(session);
        });
    }

    public static SessionHandle FromBytes(byte[] model, OnnxSessionOptions? options)
    {
        var env = OrtEnvironment.Handle;
        return WithOptions(options, so =>
        {
            nint session;
            fixed (byte* data = model)
            {
                OrtApi.Check(OrtApi.CreateSessionFromArray(env, data, (nuint)model.Length, so, &session));
            }

            return new SessionHandle(session);
        });
    }

    private static SessionHandle WithOptions(OnnxSessionOptions? options, Func<nint, SessionHandle> create)
    {
        options ??= new OnnxSessionOptions();
        options.Validate();
        nint so;
        OrtApi.Check(OrtApi.CreateSessionOptions(&so));
        try
        {
            OrtApi.Check(OrtApi.SetIntraOpNumThreads(so, options.IntraOpNumThreads));
            OrtApi.Check(OrtApi.SetInterOpNumThreads(so, options.InterOpNumThreads));
            OrtApi.Check(OrtApi.SetSessionGraphOptimizationLevel(so, (int)options.GraphOptimizationLevel));
            OrtApi.Check(OrtApi.SetSessionExecutionMode(so, (int)options.ExecutionMode));
            foreach (var (key, value) in options.ConfigEntries)
            {
                var k = Marshal.StringToCoTaskMemUTF8(key);
                var v = Marshal.StringToCoTaskMemUTF8(value);
                try
                {
                    OrtApi.Check(OrtApi.AddSessionConfigEntry(so, (byte*)k, (byte*)v));
                }
                finally
                {
                    Marshal.FreeCoTaskMem(k);
                    Marshal.FreeCoTaskMem(v);
                }
            }

            return create(so);
        }
        finally
        {
            OrtApi.ReleaseSessionOptions(so);
        }
    }

    public static NodeMetadata[] ReadMetadata(nint session, bool input)
    {
        nuint count;
        OrtApi.Check(input ? OrtApi.SessionGetInputCount(session, &count) : OrtApi.SessionGetOutputCount(session, &count));
        var nodes = new NodeMetadata[(int)count];
        var allocator = OrtEnvironment.Allocator;
        for (nuint i = 0; i < count; i++)
        {
            nint namePtr;
            OrtApi.Check(input ? OrtApi.SessionGetInputName(session, i, allocator, &namePtr) : OrtApi.SessionGetOutputName(session, i, allocator, &namePtr));
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8(namePtr) ?? string.Empty;
            }
            finally
            {
                OrtApi.Check(OrtApi.AllocatorFree(allocator, namePtr));
            }

            nint typeInfo;
            OrtApi.Check(input ? OrtApi.SessionGetInputTypeInfo(session, i, &typeInfo) : OrtApi.SessionGetOutputTypeInfo(session, i, &typeInfo));
            try
            {
                nodes[(int)i] = Describe(name, typeInfo);
            }
            finally
            {
                OrtApi.ReleaseTypeInfo(typeInfo);
            }
        }

        return nodes;
    }

    private static NodeMetadata Describe(string name, nint typeInfo)
    {
        int onnxType;
        OrtApi.Check(OrtApi.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType));
        nint tensorInfo;
        OrtApi.Check(OrtApi.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
        if (onnxType != 1 || tensorInfo == 0)
        {
            return new NodeMetadata(name, false, TensorElementType.Undefined, [], []);
        }

        int elementType;
        OrtApi.Check(OrtApi.GetTensorElementType(tensorInfo, &elementType));
        nuint rank;
        OrtApi.Check(OrtApi.GetDimensionsCount(tensorInfo, &rank));
        var dims = new long[(int)rank];
        var symbolic = new nint[(int)rank];
        fixed (long* d = dims)
        fixed (nint* s = symbolic)
        {
            OrtApi.Check(OrtApi.GetDimensions(tensorInfo, d, rank));
            OrtApi.Check(OrtApi.GetSymbolicDimensions(tensorInfo, s, rank));
        }

        var supported = TensorElementTypes.IsSupported(elementType);
        return new NodeMetadata(
            name,
            supported,
            supported ? (TensorElementType)elementType : TensorElementType.Undefined,
            dims,
            [.. symbolic.Select(p => p == 0 ? string.Empty : Marshal.PtrToStringUTF8(p) ?? string.Empty)]);
    }
}
