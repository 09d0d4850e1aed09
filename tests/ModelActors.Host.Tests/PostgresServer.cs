using System.Diagnostics;

namespace ModelActors.Host.Tests;

/// <summary>
/// A throwaway PostgreSQL server for the job tests, from Debian's postgresql package (which <c>.ci/run</c> installs):
/// <c>initdb</c> into a temporary folder and <c>pg_ctl start</c> on a free loopback port, as an ordinary command (no
/// systemd; as the <c>postgres</c> user when the tests run as root). <see cref="Unavailable"/> says why when it could
/// not be started, and the tests that need it are skipped with that reason.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string? _bin;
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"modelactors-pg-{Guid.NewGuid():N}");
    private readonly bool _asRoot = Environment.UserName == "root";
    private int _databases;

    public PostgresServer()
    {
        try
        {
            _bin = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
                : null;
            if (_bin is null)
            {
                Unavailable = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; .ci/run installs Debian's postgresql package)";
                return;
            }

            Port = TestDefaults.FreePort();
            Directory.CreateDirectory(_data);
            if (_asRoot)
            {
                Run("chown", "postgres:postgres", _data);
            }

            Pg("initdb", "-D", _data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
            Pg("pg_ctl", "-D", _data, "-l", Path.Combine(_data, "server.log"), "-w", "-o",
                $"-p {Port} -k {Path.GetTempPath().TrimEnd('/')} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            Unavailable = $"PostgreSQL could not be started: {exception.Message}";
        }
    }

    /// <summary>Why there is no server, or null when it runs.</summary>
    public string? Unavailable { get; }

    /// <summary>The server's loopback port.</summary>
    public int Port { get; }

    /// <summary>A new, empty database on the server, and its connection string.</summary>
    public string CreateDatabase()
    {
        var name = $"jobs{Interlocked.Increment(ref _databases)}";
        Pg("createdb", "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", name);
        return $"Host=127.0.0.1;Port={Port};Database={name};Username=postgres";
    }

    public void Dispose()
    {
        if (Unavailable is null && _bin is not null)
        {
            try
            {
                Pg("pg_ctl", "-D", _data, "-m", "immediate", "-w", "stop");
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private void Pg(string tool, params string[] args) =>
        Run(_asRoot ? "runuser" : Path.Combine(_bin!, tool), _asRoot ? ["-u", "postgres", "--", Path.Combine(_bin!, tool), .. args] : args);

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(args.Length > 3 && file == "runuser" ? args[3] : file)} failed: {error.Trim()} {output.Result.Trim()}");
        }
    }
}
