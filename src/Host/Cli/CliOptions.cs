using System.CommandLine;
using System.Text;

namespace ModelActors.Host.Cli;

/// <summary>The options and arguments several commands share (each command gets its own instances).</summary>
internal static class CliOptions
{
    public static Argument<string> Model() => new("model") { Description = "The model's name." };

    public static Argument<string> Input() => new("input") { Description = "The item as JSON, @file for a JSON file (a v2 request for tensor models), or - for stdin." };

    public static Option<string?> Config() => new("--config") { Description = "The configuration file (default: modelactors.json next to the binary, from config/modelactors.json)." };

    public static Option<string?> ModelRepository() => new("--model-repository") { Description = "A folder in Triton's layout: every DIR/<model>/[<version>/]model.onnx is served as an OnnxModel." };

    public static Option<string?> Url() => new("--url") { Description = "A running server to call (for example http://127.0.0.1:5080) instead of loading the models in this process." };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON for scripts instead of a table." };

    /// <summary>The configuration keys for an in-process library from the shared options.</summary>
    public static string[] LibraryArgs(ParseResult result, Option<string?> config, Option<string?> repository)
    {
        var args = new List<string>();
        if (result.GetValue(config) is { } path)
        {
            args.Add("--config=" + Path.GetFullPath(path));
        }

        if (result.GetValue(repository) is { } folder)
        {
            args.Add("--model-repository=" + Path.GetFullPath(folder));
        }

        return [.. args];
    }

    /// <summary>JSON given on the command line: the text itself, <c>@file</c> for a file, <c>-</c> for stdin.</summary>
    public static async Task<byte[]> ReadJsonAsync(string input, CancellationToken cancellationToken)
    {
        if (input == "-")
        {
            using var stdin = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }

        return input.StartsWith('@') ? await File.ReadAllBytesAsync(input[1..], cancellationToken).ConfigureAwait(false) : Encoding.UTF8.GetBytes(input);
    }

    /// <summary>As <see cref="ReadJsonAsync"/>; when the file cannot be read, null after telling why on <paramref name="error"/>.</summary>
    public static async Task<byte[]?> ReadJsonOrSayWhyAsync(string input, TextWriter error, string command, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadJsonAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"modelactors {command}: cannot read '{input.TrimStart('@')}': {exception.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
