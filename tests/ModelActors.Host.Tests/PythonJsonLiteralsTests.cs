using System.Text;
using ModelActors.Host.V2;

namespace ModelActors.Host.Tests;

/// <summary>Python's bare NaN/Infinity/-Infinity are quoted outside strings only; everything else is left as it was.</summary>
public sealed class PythonJsonLiteralsTests
{
    [Theory]
    [InlineData("""{"a": [1, NaN, -Infinity, Infinity]}""", """{"a": [1, "NaN", "-Infinity", "Infinity"]}""")]
    [InlineData("""{"s": "NaN and Infinity", "t": "a\"NaN\\", "u": NaN}""", """{"s": "NaN and Infinity", "t": "a\"NaN\\", "u": "NaN"}""")]
    [InlineData("""{"s": "\\", "n": -Infinity}""", """{"s": "\\", "n": "-Infinity"}""")]
    [InlineData("""{"Index": 1, "N": -1, "I": "x"}""", """{"Index": 1, "N": -1, "I": "x"}""")]
    [InlineData("[NaN]", """["NaN"]""")]
    [InlineData("\"unterminated \\", "\"unterminated \\")]
    public void QuotesBareLiterals_OutsideStringsOnly(string json, string expected)
    {
        var quoted = PythonJsonLiterals.Quote(Encoding.UTF8.GetBytes(json));

        Assert.Equal(expected, Encoding.UTF8.GetString(quoted.Span));
    }

    [Fact]
    public void ABodyWithoutLiterals_IsReturnedAsIs_WithoutACopy()
    {
        ReadOnlyMemory<byte> body = Encoding.UTF8.GetBytes("""{"inputs": [{"name": "x", "data": [1.5, -2]}]}""");

        var quoted = PythonJsonLiterals.Quote(body);

        Assert.True(quoted.Equals(body));
    }
}
