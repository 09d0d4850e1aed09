using System.Buffers;

namespace ModelActors.Host.V2;

/// <summary>
/// Python's json module writes non-finite floats as the bare tokens <c>NaN</c>, <c>Infinity</c> and
/// <c>-Infinity</c>, which are not JSON and which System.Text.Json's reader refuses. KServe v2 clients written in
/// Python send them, so the v2 routes quote them (outside strings) before parsing; the tensor reader then
/// accepts those three strings as float elements. Ours because System.Text.Json has no option for bare literals.
/// </summary>
internal static class PythonJsonLiterals
{
    private static readonly byte[] NaN = "NaN"u8.ToArray();
    private static readonly byte[] Infinity = "Infinity"u8.ToArray();
    private static readonly byte[] NegativeInfinity = "-Infinity"u8.ToArray();

    /// <summary>The body with bare NaN/Infinity/-Infinity quoted; the same memory when it has none.</summary>
    public static ReadOnlyMemory<byte> Quote(ReadOnlyMemory<byte> json)
    {
        var at = FindBare(json.Span, 0);
        if (at < 0)
        {
            return json;
        }

        var source = json.Span;
        var output = new ArrayBufferWriter<byte>(json.Length + 16);
        var copied = 0;
        while (at >= 0)
        {
            var length = TokenLength(source, at);
            output.Write(source[copied..at]);
            output.Write("\""u8);
            output.Write(source.Slice(at, length));
            output.Write("\""u8);
            copied = at + length;
            at = FindBare(source, copied);
        }

        output.Write(source[copied..]);
        return output.WrittenMemory;
    }

    /// <summary>The index of the next bare literal at or after <paramref name="from"/> that is outside a string, or -1.</summary>
    private static int FindBare(ReadOnlySpan<byte> json, int from)
    {
        var inString = false;
        for (var i = from; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
            }
            else if (b is (byte)'N' or (byte)'I' or (byte)'-' && TokenLength(json, i) > 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static int TokenLength(ReadOnlySpan<byte> json, int at)
    {
        var rest = json[at..];
        return rest.StartsWith(NaN) ? NaN.Length
            : rest.StartsWith(Infinity) ? Infinity.Length
            : rest.StartsWith(NegativeInfinity) ? NegativeInfinity.Length
            : 0;
    }
}
