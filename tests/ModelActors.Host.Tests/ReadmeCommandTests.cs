using System.Diagnostics;

namespace ModelActors.Host.Tests;

/// <summary>
/// Runs every command of the README's <c>sh</c> blocks, in order, against <c>modelactors serve</c> on the default
/// configuration (what <c>dotnet run --project src/Host</c> starts; the README's other front-door command,
/// <c>dotnet test</c>, is what CI runs), so an example cannot rot: each must exit 0, every HTTP answer must be 2xx
/// (or the status the README shows), and the output must hold what the README shows.
/// </summary>
public sealed class ReadmeCommandTests
{
    [Fact]
    public async Task EveryShellCommandOfTheReadme_RunsAndShowsWhatTheReadmeSays()
    {
        var root = RepositoryRoot();
        var commands = ReadmeCommands.Parse(await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        Assert.True(commands.Count > 20, $"only {commands.Count} commands found");

        using var server = CliProcess.Start("serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "http://127.0.0.1:0", "--Server:LameDuck=00:00:00");
        var http = new Uri(await server.Listening.WaitAsync(TimeSpan.FromMinutes(1)));
        var grpc = new Uri(await server.GrpcListening.WaitAsync(TimeSpan.FromMinutes(1)));
        await server.OutputLine("models loaded in").WaitAsync(TimeSpan.FromMinutes(2));
        var work = Directory.CreateTempSubdirectory("modelactors-readme-").FullName;
        var failures = new List<string>();
        try
        {
            var scripts = commands.Select(command => command.Text
                .Replace("dotnet run --project src/Host --", $"dotnet {Path.Combine(AppContext.BaseDirectory, "ModelActors.Host.dll")}", StringComparison.Ordinal)
                .Replace("-I src/Host/Grpc", $"-I {Path.Combine(root, "src", "Host", "Grpc")}", StringComparison.Ordinal)
                .Replace("-I src/Host/Triton", $"-I {Path.Combine(root, "src", "Host", "Triton")}", StringComparison.Ordinal)
                .Replace("python3 ", File.Exists("/usr/bin/python3") ? "/usr/bin/python3 " : "python3 ", StringComparison.Ordinal) // Debian's, which has python3-grpcio (a pyenv may come first on PATH)
                .Replace("127.0.0.1:5080", $"127.0.0.1:{http.Port}", StringComparison.Ordinal)
                .Replace("127.0.0.1:5081", $"127.0.0.1:{grpc.Port}", StringComparison.Ordinal)).ToList();
            var results = await RunAsync(work, scripts);
            for (var n = 0; n < commands.Count; n++)
            {
                var (command, (code, output, statuses)) = (commands[n], results[n]);
                var problem = code != 0 ? $"exit {code}"
                    : statuses.FirstOrDefault(s => command.Status is { } expected ? s != expected : s is < 200 or > 299) is var bad and > 0 ? $"HTTP {bad}"
                    : Missing(output, command.Fragments) is { } missing ? $"output lacks {missing}"
                    : null;
                if (problem is not null)
                {
                    failures.Add($"README line {command.Line}: {problem}\n  {command.Text}\n  output: {output[..Math.Min(output.Length, 400)]}");
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The first fragment not found in <paramref name="output"/> after the ones before it; null when all are.</summary>
    private static string? Missing(string output, IEnumerable<string> fragments)
    {
        var at = 0;
        foreach (var fragment in fragments)
        {
            var found = output.IndexOf(fragment, at, StringComparison.Ordinal);
            if (found < 0)
            {
                return fragment;
            }

            at = found + fragment.Length;
        }

        return null;
    }

    /// <summary>
    /// Runs the commands one after another in one bash (so variables and files carry from one to the next, as for a
    /// reader pasting them); each command's output, exit code and HTTP statuses are told apart by marker lines.
    /// </summary>
    private static async Task<List<(int Code, string Output, List<int> Statuses)>> RunAsync(string folder, List<string> commands)
    {
        var statusFile = Path.Combine(folder, ".statuses");
        var script = new System.Text.StringBuilder("set -o pipefail\n").Append(CurlShim(statusFile));
        for (var n = 0; n < commands.Count; n++)
        {
            script.Append(System.Globalization.CultureInfo.InvariantCulture, $"echo __command={n} >> '{statusFile}'; echo __command={n}\n{{\n{commands[n]}\n}} 2>&1\necho __exit=$?\n");
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script.ToString());
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(safety.Token);
        var results = new List<(int Code, string Output, List<int> Statuses)>();
        var outputs = (await output).Split("__command=").Skip(1).ToList();
        var statuses = File.ReadAllText(statusFile).Split("__command=").Skip(1).ToList();
        for (var n = 0; n < commands.Count; n++)
        {
            if (n >= outputs.Count)
            {
                results.Add((-1, $"the script ended before this command: {await error}", []));
                continue;
            }

            var text = outputs[n][(outputs[n].IndexOf('\n', StringComparison.Ordinal) + 1)..];
            var exit = text.LastIndexOf("__exit=", StringComparison.Ordinal);
            var code = exit < 0 ? -1 : int.Parse(text[(exit + 7)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var codes = statuses[n].Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => int.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            results.Add((code, exit < 0 ? text : text[..exit], codes));
        }

        return results;
    }

    /// <summary>
    /// A bash function that runs curl as written, with the answer's status written after its output and moved from there
    /// to <paramref name="statusFile"/> (a command that sets its own <c>-w</c> is run as it is).
    /// </summary>
    private static string CurlShim(string statusFile) => $$"""
        curl() {
          case " $* " in *" -w "*) command curl "$@"; return;; esac
          local tmp rc; tmp=$(mktemp)
          command curl -w '\n__status=%{http_code}' "$@" > "$tmp"; rc=$?
          tail -n 1 "$tmp" | sed -n 's/^__status=//p' >> '{{statusFile}}'
          sed '$d' "$tmp"; rm -f "$tmp"; return $rc
        }

        """;

    internal static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ModelActors.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("The repository root (ModelActors.sln) is not above the test's folder.");
    }
}
