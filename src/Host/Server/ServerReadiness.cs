using Microsoft.Extensions.Hosting;

namespace ModelActors.Host.Server;

/// <summary>
/// Whether the server is ready: every required model (all of them unless <c>RequiredModels</c> names some) that this
/// node hosts is loaded and shutdown has not begun. On a cluster a node is ready once its own models are: the models it
/// reaches on other nodes come and go with those nodes (each one's ready route says so), and a node that lost them still
/// serves its own. Turns false the moment the host starts stopping, so load balancers stop
/// sending before in-flight requests are drained.
/// </summary>
public sealed class ServerReadiness
{
    private readonly ModelLibrary _library;
    private volatile bool _stopping;

    /// <summary>Creates the readiness view of <paramref name="library"/>, turning false when <paramref name="lifetime"/> begins stopping.</summary>
    /// <param name="library">The served library.</param>
    /// <param name="lifetime">The host's lifetime.</param>
    public ServerReadiness(ModelLibrary library, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        _library = library;
        lifetime.ApplicationStopping.Register(() => _stopping = true);
    }

    /// <summary>Turns readiness false for good: the server is stopping (called when its lame duck begins, whichever way the stop came).</summary>
    internal void Stop() => _stopping = true;

    /// <summary>True once shutdown has begun.</summary>
    public bool Stopping => _stopping;

    /// <summary>True when the required models are ready and the server is not stopping.</summary>
    public bool IsReady => !_stopping && Required().All(d => d.State == ModelState.Ready);

    // The required models this node hosts, as LoadAsync loads them.
    private IEnumerable<ModelDescription> Required() => _library.Describe().Where(d =>
        (_library.Options.RequiredModels.Count == 0 || _library.Options.RequiredModels.Contains(d.Name)) && _library.HostsHere(d.Name));
}
