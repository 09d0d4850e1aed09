using System.Globalization;
using System.Text;

namespace ModelActors.Host.Triton;

/// <summary>One token of protobuf's text format: an identifier or number (<see cref="TextTokenKind.Word"/>), a string, or one symbol.</summary>
internal readonly record struct TextToken(TextTokenKind Kind, string Text, int Line, int Column)
{
    /// <summary>Where the token starts, as a reader names it: "line 3, column 7".</summary>
    public string Where => $"line {Line}, column {Column}";
}

/// <summary>The kinds of <see cref="TextToken"/>.</summary>
internal enum TextTokenKind
{
    /// <summary>An identifier, a number or a signed number: what is left of a token that is not a string or a symbol.</summary>
    Word,

    /// <summary>A quoted string, unescaped (adjacent strings are joined).</summary>
    String,

    /// <summary>One of <c>{ } &lt; &gt; [ ] : , ;</c>.</summary>
    Symbol,

    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>
/// Splits protobuf text format (https://protobuf.dev/reference/protobuf/textformat-spec/) into tokens: <c>#</c> comments
/// and white space are skipped, strings unescaped (C escapes, octal, hex, \u).
/// </summary>
internal sealed class TextFormatTokenizer(string text, string source)
{
    private int _position;
    private int _line = 1;
    private int _lineStart;

    /// <summary>The file (or other source) named in errors.</summary>
    public string Source { get; } = source;

    /// <summary>The next token.</summary>
    /// <exception cref="FormatException">A string is not closed or has a bad escape, or a character cannot start a token; the message says where.</exception>
    public TextToken Next()
    {
        SkipBlank();
        if (_position >= text.Length)
        {
            return new TextToken(TextTokenKind.End, string.Empty, _line, _position - _lineStart + 1);
        }

        var (line, column) = (_line, _position - _lineStart + 1);
        var c = text[_position];
        if ("{}<>[]:,;".Contains(c, StringComparison.Ordinal))
        {
            _position++;
            return new TextToken(TextTokenKind.Symbol, c.ToString(), line, column);
        }

        if (c is '"' or '\'')
        {
            var joined = new StringBuilder();
            while (_position < text.Length && text[_position] is '"' or '\'')
            {
                ReadString(joined, line, column);
                SkipBlank();
            }

            return new TextToken(TextTokenKind.String, joined.ToString(), line, column);
        }

        if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+' or '.')
        {
            var start = _position;
            _position++;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '.'
                || (text[_position] is '-' or '+' && text[_position - 1] is 'e' or 'E' && char.IsAsciiDigit(text[start]))))
            {
                _position++;
            }

            return new TextToken(TextTokenKind.Word, text[start.._position], line, column);
        }

        throw Error(line, column, $"'{c}' cannot start a token");
    }

    /// <summary>An error at a place of the text, naming the source.</summary>
    public FormatException Error(int line, int column, string message) => new($"{Source}: line {line}, column {column}: {message}.");

    private void SkipBlank()
    {
        while (_position < text.Length)
        {
            var c = text[_position];
            if (c == '#')
            {
                while (_position < text.Length && text[_position] != '\n')
                {
                    _position++;
                }
            }
            else if (c == '\n')
            {
                _position++;
                _line++;
                _lineStart = _position;
            }
            else if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else
            {
                return;
            }
        }
    }

    private void ReadString(StringBuilder into, int line, int column)
    {
        var quote = text[_position++];
        var bytes = new List<byte>();
        while (true)
        {
            if (_position >= text.Length || text[_position] == '\n')
            {
                throw Error(line, column, "the string is not closed on its line");
            }

            var c = text[_position++];
            if (c == quote)
            {
                break;
            }

            if (c != '\\')
            {
                // A character outside the BMP is two UTF-16 units: encoded together.
                var whole = char.IsHighSurrogate(c) && _position < text.Length && char.IsLowSurrogate(text[_position]) ? $"{c}{text[_position++]}" : c.ToString();
                bytes.AddRange(Encoding.UTF8.GetBytes(whole));
                continue;
            }

            if (_position >= text.Length)
            {
                throw Error(line, column, "the string ends in a lone backslash");
            }

            var e = text[_position++];
            switch (e)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'v': bytes.Add(11); break;
                case '\\' or '\'' or '"' or '?': bytes.Add((byte)e); break;
                case 'x' or 'X': bytes.Add((byte)ReadDigits(16, 2, line, column)); break;
                case 'u':
                    var code = ReadDigits(16, 4, line, column);
                    bytes.AddRange(code is >= 0xD800 and <= 0xDFFF
                        ? throw Error(line, column, $"the string has the escape \\u{code:X4}, a lone UTF-16 surrogate")
                        : Encoding.UTF8.GetBytes(char.ConvertFromUtf32(code)));
                    break;
                case >= '0' and <= '7':
                    _position--;
                    bytes.Add((byte)ReadDigits(8, 3, line, column));
                    break;
                default: throw Error(line, column, $"the string has an unknown escape '\\{e}'");
            }
        }

        into.Append(Encoding.UTF8.GetString([.. bytes]));
    }

    private int ReadDigits(int radix, int most, int line, int column)
    {
        var start = _position;
        while (_position < text.Length && _position - start < most && Uri.IsHexDigit(text[_position]) && (radix == 16 || text[_position] is >= '0' and <= '7'))
        {
            _position++;
        }

        if (_position == start)
        {
            throw Error(line, column, "the string has an escape without digits");
        }

        return radix == 16
            ? int.Parse(text.AsSpan(start, _position - start), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : Convert.ToInt32(text.Substring(start, _position - start), 8);
    }
}
