using ModelActors.Host.Server;

namespace ModelActors.Host.Cli;

/// <summary>
/// The server's models without the server, for <c>describe</c>, <c>predict</c> and <c>bench</c>: the same configuration
/// (<c>--config</c>, <c>--model-repository</c>), every model loaded (a failure is kept as the model's state),
/// warnings and errors logged to stderr so that stdout holds only the command's output.
/// </summary>
internal sealed class InProcessModels : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessModels(IHost host)
    {
        _host = host;
        Library = host.Services.GetRequiredService<ModelLibrary>();
        Versions = host.Services.GetRequiredService<ModelVersions>();
    }

    /// <summary>The library.</summary>
    public ModelLibrary Library { get; }

    /// <summary>The served versions.</summary>
    public ModelVersions Versions { get; }

    /// <summary>Builds the library from <paramref name="args"/> (configuration keys) and loads every model.</summary>
    public static async Task<InProcessModels> StartAsync(string[] args, CancellationToken cancellationToken)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        var versions = ServerSetup.Configure(builder.Configuration, args);
        // Over the file's settings: Information logging, and the cluster (a command's own models never join a cluster).
        builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", "Warning"), new("ModelActors:Cluster:Enabled", "false")]);
        ServerSetup.AddModelActorsServer(builder.Services, builder.Configuration, versions, loadInBackground: true);
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        await host.Services.GetRequiredService<ModelLoader>().Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new InProcessModels(host);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
