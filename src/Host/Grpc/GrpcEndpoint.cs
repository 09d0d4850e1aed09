using System.Net;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ModelActors.Host.Server;

namespace ModelActors.Host.Grpc;

/// <summary>
/// Serves <see cref="InferenceGrpcService"/> on its own HTTP/2 port (<see cref="ServerOptions.GrpcUrl"/>), next to the
/// HTTP/1.1 routes: Kestrel cannot tell cleartext HTTP/2 from HTTP/1.1 on one port (dotnet/aspnetcore#56984), so, as
/// Triton does (8000 and 8001), each protocol has its port.
/// </summary>
internal static class GrpcEndpoint
{
    /// <summary>Where HTTP listens when nothing says otherwise: loopback only.</summary>
    public const string DefaultHttpUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Listens on the HTTP URLs (<c>--urls</c>, ; separated, or the default) and, when <see cref="ServerOptions.GrpcUrl"/>
    /// is set, on the gRPC URL with HTTP/2 only; registers the gRPC service with the request size limit.
    /// </summary>
    /// <param name="builder">The server's builder.</param>
    /// <param name="options">The server's options.</param>
    /// <param name="commandLineUrls"><c>--urls</c>, taken off the command line (<see cref="ServeArguments.WithoutUrls"/>); else <c>urls</c> as ASP.NET Core reads it (<c>ASPNETCORE_URLS</c>, a <c>--config</c> file).</param>
    public static void Listen(WebApplicationBuilder builder, ServerOptions options, string? commandLineUrls)
    {
        var urls = commandLineUrls is { Length: > 0 } ? commandLineUrls
            : builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } given ? given
            : DefaultHttpUrl;
        builder.Services.AddSingleton(new ServerEndpoints([
            .. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => (u, "--urls")),
            .. string.IsNullOrWhiteSpace(options.GrpcUrl) ? [] : new[] { (options.GrpcUrl, "Server:GrpcUrl (--grpc-url)") }]));
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = (int)Math.Min(options.MaxRequestBodySize, int.MaxValue));
        if (string.IsNullOrWhiteSpace(options.GrpcUrl))
        {
            builder.WebHost.UseUrls(urls);
            return;
        }

        builder.Configuration[WebHostDefaults.ServerUrlsKey] = null; // Kestrel binds what Listen names below, nothing else
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // HTTP/1.1: cleartext HTTP/2 is never negotiated on a port that also speaks HTTP/1.1 (Kestrel warns so at
                // every start); gRPC has its own port.
                ListenOn(kestrel, url, HttpProtocols.Http1, "urls");
            }

            ListenOn(kestrel, options.GrpcUrl, HttpProtocols.Http2, "Server:GrpcUrl");
        });
    }

    /// <summary>Maps the service, and logs where it listens once the server has started (the port may have been 0).</summary>
    public static void Map(WebApplication app, ServerOptions options)
    {
        // gRPC bounds each message itself (MaxReceiveMessageSize: RESOURCE_EXHAUSTED naming the sizes); Kestrel's body
        // limit, the same number, would stop first, counting the 5-byte frame header, and fail the call UNKNOWN.
        app.Use((context, next) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true
                && context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            return next(context);
        });
        app.MapGrpcService<InferenceGrpcService>();
        app.MapGrpcService<JobsGrpcService>();
        if (string.IsNullOrWhiteSpace(options.GrpcUrl))
        {
            return;
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            // The gRPC endpoint is the last one bound (see Listen).
            if (app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.LastOrDefault() is { } address)
            {
                app.Logger.LogInformation("gRPC (Open Inference Protocol) listening on: {Address}", address);
            }
        });
    }

    /// <summary>Whether a URL's host means every address (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>).</summary>
    /// <param name="host">The URL's host.</param>
    /// <returns>True for a wildcard host.</returns>
    public static bool IsAnyHost(string host) => host is "*" or "+" or "0.0.0.0" or "[::]";

    /// <summary>
    /// Listens on one URL with <paramref name="protocols"/>. Ours because endpoints set in code replace <c>UseUrls</c>
    /// (so the HTTP URLs must be listened on in code too) and Kestrel's own URL binding is not public.
    /// </summary>
    private static void ListenOn(KestrelServerOptions kestrel, string url, HttpProtocols protocols, string key)
    {
        var address = BindingAddress.Parse(url);
        if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{key} '{url}': only http:// addresses are served (put TLS in front of the server).");
        }

        void Configure(ListenOptions listen) => listen.Protocols = protocols;
        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else if (IsAnyHost(address.Host))
        {
            kestrel.ListenAnyIP(address.Port, Configure);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            throw new InvalidOperationException($"{key} '{url}': give an IP address, localhost or * as the host.");
        }
    }
}
