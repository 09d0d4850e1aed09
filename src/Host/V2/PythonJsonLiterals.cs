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
    private static readonly System.Buffers.SearchValues<byte> OutsideString = System.Buffers.SearchValues.Create("\"NI"u8);
    private static readonly System.Buffers.SearchValues<byte> InsideString = System.Buffers.SearchValues.Create("\"\\"u8);

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
    /// <remarks>Vectorized searches: outside strings for a quote or the letters N and I; inside for a quote or a backslash.</remarks>
    private static int FindBare(ReadOnlySpan<byte> json, int from)
    {
        var at = from;
        while (true)
        {
            var next = json[at..].IndexOfAny(OutsideString);
            if (next < 0)
            {
                return -1;
            }

            at += next;
            if (json[at] != (byte)'"')
            {
                var start = json[at] == (byte)'I' && at > 0 && json[at - 1] == (byte)'-' ? at - 1 : at;
                if (TokenLength(json, start) > 0)
                {
                    return start;
                }

                at++;
                continue;
            }

            // Skip the string: to the next quote that is not escaped.
            at++;
            while (true)
            {
                var end = json[at..].IndexOfAny(InsideString);
                if (end < 0)
                {
                    return -1;
                }

                at += end;
                if (json[at] == (byte)'\\')
                {
                    at += 2;
                    if (at >= json.Length)
                    {
                        return -1;
                    }

                    continue;
                }

                at++;
                break;
            }
        }
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
