using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ModelActors.Host.Tests;

/// <summary>
/// A server on TestServer whose jobs live in SQLite in <paramref name="data"/> (a folder a test may hand to the next
/// server to restart on the same journal), with the test models <c>held</c> and <c>counting</c>, optional settings, and
/// an optional clock for the jobs.
/// </summary>
internal sealed class JobServer(string data, IReadOnlyDictionary<string, string>? settings = null, TimeProvider? time = null) : WebApplicationFactory<Program>
{
    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Server:Jobs:Store", "sqlite");
        builder.UseSetting("Server:DataDirectory", data);
        builder.UseSetting("Server:LameDuck", "00:00:00");
        builder.UseSetting("ModelActors:DrainTimeout", "00:00:01");
        builder.UseSetting("ModelActors:Models:held:Type", typeof(JobHoldModel).FullName);
        builder.UseSetting("ModelActors:Models:counting:Type", typeof(CountingModel).FullName);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        if (time is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(time));
        }
    }
}

/// <summary>A folder for one test's journal, deleted after (SQLite's pooled connections closed first).</summary>
internal sealed class DataFolder : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modelactors-jobs-");

    public string Path => _folder.FullName;

    public string Database => System.IO.Path.Combine(Path, "jobs.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Refresh();
        if (_folder.Exists)
        {
            _folder.Delete(recursive: true); // once: a factory may dispose twice (Dispose and DisposeAsync)
        }
    }
}
