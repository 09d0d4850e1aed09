using System.Runtime.InteropServices;

namespace ModelActors.Onnx.Native;

/// <summary>Owns an <c>OrtSession</c>: released exactly once, and never while a Run holds a reference (DangerousAddRef).</summary>
internal sealed class SessionHandle : SafeHandle
{
    public SessionHandle(nint session)
        : base(0, ownsHandle: true)
    {
        SetHandle(session);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseSession(handle);
        return true;
    }
}

/// <summary>UTF-8, NUL-terminated copies of names in native memory, passed to every Run without re-marshalling.</summary>
internal sealed class NativeNames : IDisposable
{
    private readonly nint[] _pointers;

    public NativeNames(IReadOnlyList<string> names)
    {
        _pointers = [.. names.Select(Marshal.StringToCoTaskMemUTF8)];
    }

    public nint this[int index] => _pointers[index];

    public void Dispose()
    {
        for (var i = 0; i < _pointers.Length; i++)
        {
            Marshal.FreeCoTaskMem(_pointers[i]);
            _pointers[i] = 0;
        }
    }
}
