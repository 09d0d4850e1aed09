using System.Text.RegularExpressions;

namespace ModelActors.Host.Tests;

/// <summary>
/// The README's <c>sh</c> command blocks, cut into commands (continuation lines and here-documents kept whole) with
/// the output each shows: a trailing <c># ...</c> or the comment lines under it. A comment counts as output when it
/// starts like output does (<c>{</c>, <c>[</c>, a digit, <c>HTTP/</c>, <c>id:</c>, <c>data:</c>, <c>event:</c>);
/// other comments are prose. <c>…</c> or <c>...</c> in shown output stands for anything.
/// </summary>
internal static partial class ReadmeCommands
{
    /// <summary>One command and what it shows.</summary>
    /// <param name="Line">Its first line in the README.</param>
    /// <param name="Text">The command (several lines for a continuation or a here-document).</param>
    /// <param name="Shown">The output lines the README shows for it.</param>
    public sealed record Command(int Line, string Text, List<string> Shown)
    {
        /// <summary>The HTTP status the shown output starts with (e.g. <c># 404 {...}</c>), else null (any 2xx).</summary>
        public int? Status => Shown.Count > 0 && StatusPrefix().Match(Shown[0]) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

        /// <summary>The pieces of shown output that must appear in the output, in order.</summary>
        public IEnumerable<string> Fragments => Shown
            .Select(s => StatusPrefix().Replace(s, string.Empty))
            .SelectMany(s => s.Split(["…", "..."], StringSplitOptions.None))
            .Select(f => f.Trim())
            .Where(f => f.Length > 0);
    }

    /// <summary>The commands of every <c>```sh</c> block of <paramref name="markdown"/>.</summary>
    public static List<Command> Parse(string markdown)
    {
        var commands = new List<Command>();
        var lines = markdown.Split('\n');
        var inBlock = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (!inBlock)
            {
                inBlock = line == "```sh";
                continue;
            }

            if (line == "```")
            {
                inBlock = false;
                continue;
            }

            if (line.StartsWith('#'))
            {
                if (commands.Count > 0 && IsOutput(line.TrimStart('#').Trim()))
                {
                    commands[^1].Shown.Add(line.TrimStart('#').Trim());
                }

                continue;
            }

            if (line.Length == 0)
            {
                continue;
            }

            var start = i + 1;
            var text = line;
            while (text.EndsWith('\\') && i + 1 < lines.Length)
            {
                text += "\n" + lines[++i].TrimEnd('\r');
            }

            if (HereDocument().Match(text) is { Success: true } here)
            {
                var end = here.Groups[1].Value;
                while (i + 1 < lines.Length && lines[i + 1].TrimEnd('\r') != end)
                {
                    text += "\n" + lines[++i].TrimEnd('\r');
                }

                text += "\n" + lines[++i].TrimEnd('\r');
            }

            var shown = new List<string>();
            if (InlineComment().Match(text) is { Success: true } comment)
            {
                text = text[..comment.Index];
                if (IsOutput(comment.Groups[1].Value.Trim()))
                {
                    shown.Add(comment.Groups[1].Value.Trim());
                }
            }

            commands.Add(new Command(start, text, shown));
        }

        return commands;
    }

    private static bool IsOutput(string comment) =>
        comment.Length > 0 && (comment[0] is '{' or '[' || char.IsAsciiDigit(comment[0]) || comment.StartsWith("HTTP/", StringComparison.Ordinal)
            || comment.StartsWith("id:", StringComparison.Ordinal) || comment.StartsWith("data:", StringComparison.Ordinal) || comment.StartsWith("event:", StringComparison.Ordinal));

    [GeneratedRegex(@"^(\d{3}) ")]
    private static partial Regex StatusPrefix();

    [GeneratedRegex(@"<<'(\w+)'")]
    private static partial Regex HereDocument();

    [GeneratedRegex(@"\s{2,}#\s(.*)$")]
    private static partial Regex InlineComment();
}
