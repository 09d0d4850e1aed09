using System.Text.Json;

namespace ModelActors.Host.V2;

/// <summary>
/// Reads JSON strings that may hold escapes which are not text: System.Text.Json parses <c>"\ud800"</c> (a lone
/// UTF-16 surrogate) and only refuses it, with an <see cref="InvalidOperationException"/>, when the string is read.
/// Every string the inference routes read or echo goes through here, so such a body is a 400 naming the field.
/// </summary>
internal static class JsonText
{
    /// <summary>The string <paramref name="element"/> holds.</summary>
    /// <param name="element">A JSON string.</param>
    /// <param name="model">The model, for the error.</param>
    /// <param name="field">What the string is (e.g. <c>input 'x' element 3</c>), for the error.</param>
    /// <exception cref="InferRequestException">The string holds an escape that is not text.</exception>
    public static string Read(JsonElement element, string model, string field)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException exception)
        {
            throw Invalid(model, field, exception);
        }
    }

    /// <summary>Checks every property name and string inside <paramref name="element"/> (an echoed <c>parameters</c> object).</summary>
    /// <param name="element">The value to check.</param>
    /// <param name="model">The model, for the error.</param>
    /// <param name="field">Where the value is (e.g. <c>'parameters'</c>), for the error.</param>
    /// <exception cref="InferRequestException">A name or string holds an escape that is not text.</exception>
    public static void Check(JsonElement element, string model, string field)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                Read(element, model, field);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, model, $"{field}[{index++}]");
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException exception)
                    {
                        throw Invalid(model, $"a key of {field}", exception);
                    }

                    Check(property.Value, model, $"{field}.{name}");
                }

                break;
        }
    }

    /// <summary>
    /// Whether <paramref name="exception"/> is System.Text.Json refusing to read a string (an escape that is not text):
    /// the library marks the exceptions it raises for bad JSON content with this source.
    /// </summary>
    /// <param name="exception">The exception thrown while reading the document.</param>
    public static bool IsInvalidString(InvalidOperationException exception) =>
        exception.Source == "System.Text.Json.Rethrowable" || exception.InnerException is System.Text.DecoderFallbackException;

    private static InferRequestException Invalid(string model, string field, InvalidOperationException exception) =>
        new($"Model '{model}': {field} is not valid text ({exception.Message.TrimEnd('.')}); JSON strings must be UTF-8 with escapes that form whole UTF-16 characters.");
}
