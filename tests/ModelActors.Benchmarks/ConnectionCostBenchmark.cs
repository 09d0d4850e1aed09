using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ModelActors.Benchmarks;

/// <summary>
/// <c>connection-cost HOST:PORT COUNT PID</c>: what an open connection costs the server (process PID) in memory: its RSS
/// before, with COUNT connections open and idle, and after one <c>GET /v2/health/live</c> on each (docs/BENCHMARKS.md §8).
/// </summary>
internal static class ConnectionCostBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var server = IPEndPoint.Parse(args[0]);
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var pid = int.Parse(args[2], CultureInfo.InvariantCulture);
        var before = await SettledRssAsync(pid);
        var sockets = new List<Socket>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(server);
                sockets.Add(socket);
            }

            var idle = await SettledRssAsync(pid);
            var request = "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray();
            var buffer = new byte[4096];
            foreach (var socket in sockets)
            {
                await socket.SendAsync(request);
                await socket.ReceiveAsync(buffer);
            }

            var used = await SettledRssAsync(pid);
            Console.WriteLine($"server RSS: {before} MiB; with {count} idle connections {idle} MiB ({(idle - before) * 1024.0 / count:F1} KB each); after one request on each {used} MiB ({(used - before) * 1024.0 / count:F1} KB each)");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    /// <summary>The RSS in MiB once it has not moved for a second (the server has taken every connection in), at most 30 s.</summary>
    private static async Task<long> SettledRssAsync(int pid)
    {
        var last = -1L;
        for (var i = 0; i < 30; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1)); // sampling a process that settles, not a wait in a test
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            if (rss == last)
            {
                return rss;
            }

            last = rss;
        }

        return last;
    }
}
