using System.Net;
using System.Net.Sockets;

namespace ModelActors.Host.Server;

/// <summary>
/// Where the server listens (the HTTP URLs and the gRPC URL, each with the setting that gave it), and a check that each
/// fixed port is free before the server starts: a port in use is said in one line at once, not after every model has
/// loaded, under the host's stack trace of Kestrel's bind failure.
/// </summary>
/// <param name="Urls">Each URL with the setting that gave it.</param>
internal sealed record ServerEndpoints(IReadOnlyList<(string Url, string Setting)> Urls)
{
    /// <summary>Whether <paramref name="server"/> listens on ports (Kestrel; not a test's in-memory server).</summary>
    /// <param name="server">The host's server.</param>
    /// <returns>True for Kestrel.</returns>
    public static bool Listens(Microsoft.AspNetCore.Hosting.Server.IServer server) =>
        server.GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true;

    /// <summary>Binds and frees each URL's port (0: any free port, not checked).</summary>
    /// <exception cref="IOException">A port is in use or may not be bound; the message names the URL and its setting.</exception>
    public void EnsureFree()
    {
        foreach (var (url, setting) in Urls)
        {
            var address = Microsoft.AspNetCore.Http.BindingAddress.Parse(url);
            if (address.Port == 0)
            {
                continue;
            }

            var ip = Grpc.GrpcEndpoint.IsAnyHost(address.Host) ? IPAddress.Any
                : address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
                : IPAddress.TryParse(address.Host.Trim('[', ']'), out var parsed) ? parsed : null; // as GrpcEndpoint listens
            if (ip is null)
            {
                continue; // refused with its own message when Kestrel is configured
            }

            var listener = new TcpListener(ip, address.Port);
            try
            {
                listener.Start();
            }
            catch (SocketException exception)
            {
                var why = exception.SocketErrorCode == SocketError.AddressAlreadyInUse ? "is in use by another process" : $"cannot be listened on ({exception.Message})";
                throw new IOException($"{setting} '{url}': port {address.Port} {why}; stop that process or give {setting} another port.", exception);
            }
            finally
            {
                listener.Stop();
            }
        }
    }
}
