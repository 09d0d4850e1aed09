using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

/// <summary>
/// The host on Kestrel (127.0.0.1, a free port: real connections, so that disconnects and shutdown reach the server as
/// they would in production) on the default configuration plus the settings a subclass adds.
/// </summary>
public abstract class KestrelServer : WebApplicationFactory<Program>
{
    /// <summary>Starts Kestrel on a free loopback port.</summary>
    protected KestrelServer()
    {
        UseKestrel(0);
        StartServer();
    }

    /// <summary>Configuration keys added to the default configuration.</summary>
    protected abstract IEnumerable<(string Key, string? Value)> Settings { get; }

    /// <inheritdoc />
    protected sealed override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Server:GrpcUrl", string.Empty); // the factory binds Kestrel itself; gRPC is tested on TestServer and in the CLI test
        builder.UseSetting("Server:LameDuck", "00:00:00"); // stopped at once (LameDuckTests covers the lame duck)
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
