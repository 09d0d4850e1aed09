using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace ModelActors.Host.Server;

/// <summary>
/// The lame-duck phase of a stopping server (SIGTERM, Ctrl+C): for <see cref="ServerOptions.LameDuck"/> the listeners
/// stay open and every request is still served, readiness answers false (so a load balancer stops sending), and every
/// HTTP/1.x answer carries <c>Connection: close</c>, so each keep-alive connection is closed by the server right after
/// an answer, never while a client may be sending on it. Then Kestrel stops its listeners and drains in-flight requests
/// within <see cref="ServerOptions.ShutdownGrace"/> (HTTP/2 clients, gRPC's, get GOAWAY then).
/// </summary>
/// <remarks>
/// It delays the host's stop in <see cref="IHostedLifecycleService.StoppingAsync"/>, which the host runs before any hosted
/// service's <c>StopAsync</c> (Kestrel's among them). Only on Kestrel: an in-memory test server has no connections.
/// </remarks>
internal sealed partial class LameDuck(IServer server, ServerReadiness readiness, IOptions<ServerOptions> options, ILogger<LameDuck> logger, TimeProvider time) : IHostedLifecycleService
{
    private volatile bool _active;

    /// <summary>True from the moment the server starts stopping until it exits.</summary>
    public bool Active => _active;

    /// <summary>Adds <c>Connection: close</c> to every HTTP/1.x answer while the lame duck is active.</summary>
    public static void Use(WebApplication app) => app.Use((context, next) =>
    {
        if (context.RequestServices.GetRequiredService<LameDuck>().Active
            && (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol)))
        {
            context.Response.Headers.Connection = "close";
        }

        return next(context);
    });

    /// <inheritdoc />
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _active = true;
        readiness.Stop();
        var delay = options.Value.LameDuck;
        if (delay <= TimeSpan.Zero || server.GetType().Assembly != typeof(KestrelServerOptions).Assembly)
        {
            return;
        }

        LogLameDuck(logger, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout passed: stop now.
        }

        LogListenersStop(logger);
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: lame duck for {Seconds} s (not ready; requests still served, each answer closes its connection)")]
    private static partial void LogLameDuck(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lame duck over: the listeners stop; in-flight requests drain")]
    private static partial void LogListenersStop(ILogger logger);
}
