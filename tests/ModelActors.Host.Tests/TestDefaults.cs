using System.Runtime.CompilerServices;

namespace ModelActors.Host.Tests;

/// <summary>Settings every server these tests start gets unless a test gives its own.</summary>
internal static class TestDefaults
{
    /// <summary>
    /// Jobs in memory: the servers of the many test classes would otherwise share one SQLite file (the default
    /// <c>data/jobs.db</c> beside the tests) and resume each other's jobs. The job tests name their own store and folder
    /// (the command line and the factories' settings override this environment variable; so do the serve processes').
    /// </summary>
    /// <summary>A loopback port free now (for a server whose port must be known before it starts).</summary>
    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [ModuleInitializer]
    internal static void JobsInMemory() => Environment.SetEnvironmentVariable("Server__Jobs__Store", "memory");
}
