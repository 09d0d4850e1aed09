using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModelActors.Benchmarks;

/// <summary>
/// One HTTP/1.1 client connection for the overload benchmark: sends a prepared request and reads one answer (status,
/// Content-Length or chunked body, Connection: close), reconnecting when the server closed it. Ours because a load
/// generator built on HttpClient spends most of a core on itself at these rates (measured: under 25k requests/s).
/// </summary>
internal sealed class RawHttpConnection(EndPoint server) : IDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private Socket? _socket;

    /// <summary>Sends <paramref name="request"/> and answers the status code of the answer read whole, and whether it had Retry-After.</summary>
    /// <exception cref="IOException">The connection failed or ended inside the answer.</exception>
    /// <exception cref="SocketException">The connection could not be made.</exception>
    /// <exception cref="OperationCanceledException">The deadline passed.</exception>
    public async Task<(int Status, bool RetryAfter)> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        try
        {
            if (_socket is null)
            {
                _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await _socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            }

            await _socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var (status, close, retryAfter) = await ReadAnswerAsync(_socket, cancellationToken).ConfigureAwait(false);
            if (close)
            {
                Close();
            }

            return (status, retryAfter);
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Close();

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
    }

    private async Task<(int Status, bool Close, bool RetryAfter)> ReadAnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var length = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            length += await Receive(socket, length, cancellationToken).ConfigureAwait(false);
        }

        var head = Encoding.ASCII.GetString(_buffer, 0, headEnd);
        var status = int.Parse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        var close = head.Contains("\r\nConnection: close", StringComparison.OrdinalIgnoreCase);
        var retryAfter = Header(head, "Retry-After") is not null;
        var bodyStart = headEnd + 4;
        var contentLength = Header(head, "Content-Length");
        if (contentLength is { } total)
        {
            var need = bodyStart + int.Parse(total, System.Globalization.CultureInfo.InvariantCulture);
            while (length < need)
            {
                length += await Receive(socket, length, cancellationToken).ConfigureAwait(false);
            }

            return (status, close, retryAfter);
        }

        // Chunked: read until the last chunk (size 0) and its empty line; answers here carry no trailers.
        while (!_buffer.AsSpan(bodyStart, length - bodyStart).EndsWith("0\r\n\r\n"u8))
        {
            length += await Receive(socket, length, cancellationToken).ConfigureAwait(false);
        }

        return (status, close, retryAfter);
    }

    private async Task<int> Receive(Socket socket, int offset, CancellationToken cancellationToken)
    {
        if (offset == _buffer.Length)
        {
            throw new IOException("The answer is larger than the client's buffer.");
        }

        var read = await socket.ReceiveAsync(_buffer.AsMemory(offset), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        return read > 0 ? read : throw new IOException("The server closed the connection inside an answer.");
    }

    private static string? Header(string head, string name)
    {
        var at = head.IndexOf("\r\n" + name + ":", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }

        var start = at + name.Length + 3;
        var end = head.IndexOf("\r\n", start, StringComparison.Ordinal);
        return head[start..(end < 0 ? head.Length : end)].Trim();
    }
}
