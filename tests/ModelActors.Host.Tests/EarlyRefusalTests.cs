using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace ModelActors.Host.Tests;

/// <summary>A model whose queue is full is refused before the request's body is read: 429 with Retry-After.</summary>
[Collection(nameof(HoldModel))] // HoldModel's signals are static: its tests run one at a time
public sealed class EarlyRefusalTests
{
    [Fact]
    public async Task ARequestToAFullModel_Is429_BeforeItsBodyIsRead()
    {
        HoldModel.Reset(1);
        using var server = new LifecycleServer();
        using var client = server.CreateClient();
        var library = server.Services.GetRequiredService<ModelLibrary>();
        var narrow = library.Get<string, string>("narrow");
        var held = narrow.PredictAsync("first").AsTask();
        await HoldModel.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(60)); // its one replica is busy
        var queued = narrow.PredictAsync("second").AsTask();                // and its queue of one is full

        // A request whose body is announced as 100 bytes but only 4 are sent: refused without waiting for the rest.
        using var socket = new TcpClient();
        await socket.ConnectAsync(client.BaseAddress!.Host, client.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /models/narrow/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n\"abc"));
        var answer = await ReadAnswerAsync(stream).WaitAsync(TimeSpan.FromSeconds(60)); // while the body is still 96 bytes short

        HoldModel.Release.TrySetResult();
        Assert.Equal(["first", "second"], await Task.WhenAll(held, queued));
        Assert.StartsWith("HTTP/1.1 429 Too Many Requests", answer, StringComparison.Ordinal);
        Assert.Contains("Retry-After: ", answer, StringComparison.Ordinal);
        Assert.Contains("Model 'narrow'", answer, StringComparison.Ordinal);
    }

    /// <summary>Reads one HTTP answer: its head, then its body (by Content-Length, or chunked to the last chunk).</summary>
    private static async Task<string> ReadAnswerAsync(Stream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.ASCII.GetString([.. received]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = System.Text.RegularExpressions.Regex.Match(text, "Content-Length: (\\d+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
                if (length.Success ? received.Count >= end + 4 + int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    return text; // the whole answer: by its length, or its last chunk
                }
            }

            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return text;
            }

            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    [Fact]
    public async Task ARefusalBeforeTheBody_IsCountedAsARejection()
    {
        HoldModel.Reset(1);
        using var server = new LifecycleServer();
        var library = server.Services.GetRequiredService<ModelLibrary>();
        var narrow = library.Get<string, string>("narrow");
        var held = narrow.PredictAsync("first").AsTask();
        await HoldModel.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var queued = narrow.PredictAsync("second").AsTask();

        var refusal = library.CheckCapacity("narrow");
        HoldModel.Release.TrySetResult();
        await Task.WhenAll(held, queued);

        Assert.NotNull(refusal);
        Assert.Equal(1, refusal.Capacity);
        Assert.True(refusal.RetryAfter > TimeSpan.Zero);
        Assert.Null(library.CheckCapacity("narrow")); // room again
    }
}
