using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ModelActors.Host.Tests;

/// <summary><c>Server:ListenBacklog</c> sets the accept queue of Kestrel's listeners (4096 by default; Kestrel's own is 512).</summary>
public sealed class ListenBacklogTests
{
    [Fact]
    public void TheBacklog_IsTheConfiguredOne_AndDefaultsTo4096()
    {
        using var configured = new Backlog("1234");
        using var byDefault = new Backlog(null);

        Assert.Equal(1234, configured.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.Backlog);
        Assert.Equal(4096, byDefault.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.Backlog);
    }

    private sealed class Backlog(string? value) : KestrelServer
    {
        protected override IEnumerable<(string Key, string? Value)> Settings => value is null ? [] : [("Server:ListenBacklog", value)];
    }
}
