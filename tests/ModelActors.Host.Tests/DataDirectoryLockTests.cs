using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>One server per data folder: a second one on the same folder exits naming it, instead of resuming the same jobs.</summary>
public sealed class DataDirectoryLockTests
{
    [Fact]
    public void TheLock_IsHeldUntilDisposed()
    {
        using var data = new DataFolder();

        var first = DataDirectoryLock.Acquire(data.Path);
        var taken = Assert.Throws<IOException>(() => DataDirectoryLock.Acquire(data.Path));
        first.Dispose();
        using var again = DataDirectoryLock.Acquire(data.Path);

        Assert.Contains($"The data folder {data.Path} is in use by another server", taken.Message, StringComparison.Ordinal);
        Assert.Contains("Server:DataDirectory", taken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondServerOnTheSameFolder_Exits1_NamingIt_WhileTheFirstServesOn()
    {
        using var data = new DataFolder();
        string[] args = ["serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "", "--Server:LameDuck=00:00:00", "--Server:Jobs:Store=sqlite", $"--Server:DataDirectory={data.Path}"];
        using var first = CliProcess.Start(args);
        var url = await first.Listening.WaitAsync(TimeSpan.FromSeconds(60));

        var (code, output, error) = await CliProcess.RunAsync(args);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        using var live = await http.GetAsync(new Uri("/v2/health/live", UriKind.Relative));
        await first.TerminateAsync();

        Assert.True(code == 1, $"exit {code}: {error}");
        Assert.StartsWith($"modelactors serve: The data folder {data.Path} is in use by another server", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(0, await first.ExitAsync());
    }

    [Fact]
    public async Task AFolderThatCannotBeMade_Exits1_NamingTheSetting()
    {
        using var data = new DataFolder();
        var file = Path.Combine(data.Path, "a-file");
        await File.WriteAllTextAsync(file, "in the way");

        var (code, _, error) = await CliProcess.RunAsync("serve", "--urls", "http://127.0.0.1:0", "--grpc-url", "", "--Server:Jobs:Store=sqlite", $"--Server:DataDirectory={file}/data");

        Assert.True(code == 1, $"exit {code}: {error}");
        Assert.StartsWith($"modelactors serve: Server:DataDirectory is '{file}/data', and {file}/data cannot be made a folder", error, StringComparison.Ordinal);
    }
}
