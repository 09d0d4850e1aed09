using System.Diagnostics;
using System.Text;

namespace ModelActors.Host.Tests;

/// <summary>Runs the <c>modelactors</c> command as a user would: <c>dotnet ModelActors.Host.dll ...</c> in a child process.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _grpcListening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Marker, TaskCompletionSource Seen)> _watches = [];

    private CliProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ModelActors.Host.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _listening.TrySetException(new InvalidOperationException($"The server exited before listening: {Error}"));
                _grpcListening.TrySetException(new InvalidOperationException($"The server exited before listening for gRPC: {Error}"));
                return;
            }

            lock (_out)
            {
                _out.AppendLine(e.Data);
                foreach (var (marker, seen) in _watches)
                {
                    if (e.Data.Contains(marker, StringComparison.Ordinal))
                    {
                        seen.TrySetResult();
                    }
                }
            }

            Found(e.Data, "Now listening on: ", _listening);
            Found(e.Data, "gRPC (Open Inference Protocol) listening on: ", _grpcListening);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_err)
            {
                _err.AppendLine(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_out)
            {
                return _out.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_err)
            {
                return _err.ToString();
            }
        }
    }

    public int Id => _process.Id;

    /// <summary>The address the server said it listens on (its first: HTTP).</summary>
    public Task<string> Listening => _listening.Task;

    /// <summary>The address the server said its gRPC service listens on.</summary>
    public Task<string> GrpcListening => _grpcListening.Task;

    /// <summary>Completes when the output has (or gets) a line containing <paramref name="marker"/>.</summary>
    public Task OutputLine(string marker)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_out)
        {
            if (_out.ToString().Contains(marker, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _watches.Add((marker, seen));
        }

        return seen.Task;
    }

    /// <summary>Runs a command to its end: exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var code = await process.ExitAsync();
        return (code, process.Output, process.Error);
    }

    /// <summary>Starts a command (a server, say) and returns at once.</summary>
    public static CliProcess Start(params string[] args) => new(args);

    /// <summary>Waits for the exit (a minute at most: a safety net, not a timing) and answers the exit code.</summary>
    public async Task<int> ExitAsync()
    {
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _process.WaitForExitAsync(safety.Token);
        _process.WaitForExit(); // drains the output handlers
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as a container runtime does to stop it.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Kills the process at once (SIGKILL, as a crash or the kernel's OOM killer would) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await ExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    /// <summary>Completes <paramref name="address"/> with what follows <paramref name="marker"/> in the first line that has it.</summary>
    private static void Found(string line, string marker, TaskCompletionSource<string> address)
    {
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            address.TrySetResult(line[(at + marker.Length)..].Trim());
        }
    }
}
