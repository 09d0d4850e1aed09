using System.Text.Json;
using ModelActors.Host.Cli;
using Spectre.Console.Testing;

namespace ModelActors.Host.Tests;

/// <summary><c>modelactors job ...</c> against a <c>serve</c> process: submit and watch with a progress bar, status, results, list, cancel, errors, and a watch that follows its job across a server restart.</summary>
public sealed class JobCliTests
{
    private static string[] Serve(string data, int port) =>
    [
        "serve", "--urls", $"http://127.0.0.1:{port}", "--grpc-url", "", "--Server:LameDuck=00:00:00",
        "--Server:Jobs:Store=sqlite", $"--Server:DataDirectory={data}", "--Server:Jobs:ChunkSize=10",
        $"--Server:ModelAssemblies:0={typeof(CountingModel).Assembly.Location}",
        $"--ModelActors:Models:slow:Type={typeof(CountingModel).FullName}", "--ModelActors:Models:slow:Settings:DelayMs=10",
    ];

    private static async Task<(int Code, string Output, string Error)> RunAsync(TestConsole console, params string[] args)
    {
        var error = new StringWriter();
        var code = await ModelActorsCommand.Create(console, error, args).Parse(args).InvokeAsync();
        return (code, console.Output, error.ToString());
    }

    [Fact]
    public async Task SubmitWatchStatusResultsListCancel_DriveAJob()
    {
        using var data = new DataFolder();
        using var server = CliProcess.Start(Serve(data.Path, 0));
        var url = await server.Listening.WaitAsync(TimeSpan.FromMinutes(1));
        var items = Path.Combine(data.Path, "items.json");
        await File.WriteAllTextAsync(items, JsonSerializer.Serialize(Enumerable.Range(0, 50)));

        var submitted = await RunAsync(new TestConsole().Interactive().Width(160), "job", "submit", "slow", "@" + items, "--url", url, "--watch", "--idempotency-key", "cli-1");
        var id = JsonDocument.Parse(submitted.Output.Split('\n')[0]).RootElement.GetProperty("id").GetString()!;
        var resubmitted = await RunAsync(new TestConsole(), "job", "submit", "slow", "@" + items, "--url", url, "--idempotency-key", "cli-1");
        var status = await RunAsync(new TestConsole(), "job", "status", id, "--url", url);
        var results = await RunAsync(new TestConsole(), "job", "results", id, "--url", url);
        var list = await RunAsync(new TestConsole().Width(200), "job", "list", "--url", url);
        var watchedAgain = await RunAsync(new TestConsole(), "job", "watch", id, "--url", url);
        var deleted = await RunAsync(new TestConsole(), "job", "cancel", id, "--url", url);
        var gone = await RunAsync(new TestConsole(), "job", "status", id, "--url", url);

        Assert.True(submitted.Code == 0, submitted.Error);
        Assert.Equal(id, JsonDocument.Parse(resubmitted.Output).RootElement.GetProperty("id").GetString()); // the same job, not a second
        Assert.Contains("100%", submitted.Output, StringComparison.Ordinal); // the progress bar reached the end
        Assert.Contains("\"status\":\"finished\"", submitted.Output, StringComparison.Ordinal);
        Assert.Contains("\"succeeded\":50", status.Output, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 2), JsonDocument.Parse(results.Output).RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("result").GetInt32()));
        Assert.Contains($"│ {id} │ slow  │ typed │ finished │ 50/50 │", list.Output, StringComparison.Ordinal);
        Assert.Equal(0, watchedAgain.Code);
        Assert.Contains("50/50", watchedAgain.Output, StringComparison.Ordinal); // without a terminal: a line per progress event
        Assert.Contains("\"removed\":true", deleted.Output, StringComparison.Ordinal);
        Assert.Equal(1, gone.Code);
        Assert.Contains($"modelactors job status: 404 Not Found: No job '{id}'", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_ExitOne_NamingWhatWasWrong()
    {
        using var data = new DataFolder();
        using var server = CliProcess.Start(Serve(data.Path, 0));
        var url = await server.Listening.WaitAsync(TimeSpan.FromMinutes(1));

        var unknownModel = await RunAsync(new TestConsole(), "job", "submit", "nope", "[1]", "--url", url);
        var badItem = await RunAsync(new TestConsole(), "job", "submit", "slow", "[\"x\"]", "--url", url);
        var noServer = await RunAsync(new TestConsole(), "job", "list", "--url", "http://127.0.0.1:1");

        Assert.Equal((1, 1, 1), (unknownModel.Code, badItem.Code, noServer.Code));
        Assert.Contains("modelactors job submit: 404 Not Found: No model named 'nope'", unknownModel.Error, StringComparison.Ordinal);
        Assert.Contains("Model 'slow': item 0 of the job is not a Int32", badItem.Error, StringComparison.Ordinal);
        Assert.StartsWith("modelactors job list: ", noServer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_FollowsItsJobAcrossAServerRestart()
    {
        using var data = new DataFolder();
        var port = TestDefaults.FreePort();
        var url = $"http://127.0.0.1:{port}";
        string id;
        var first = CliProcess.Start(Serve(data.Path, port));
        try
        {
            await first.Listening.WaitAsync(TimeSpan.FromMinutes(1));
            var submitted = await RunAsync(new TestConsole(), "job", "submit", "slow", JsonSerializer.Serialize(Enumerable.Range(0, 600)), "--url", url);
            id = JsonDocument.Parse(submitted.Output).RootElement.GetProperty("id").GetString()!;
            var console = new TestConsole();
            var watching = RunAsync(console, "job", "watch", id, "--url", url);

            // Kill the server once the watcher has shown some progress (it prints a line per progress event).
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            using var events = await http.GetAsync($"/jobs/{id}/events", HttpCompletionOption.ResponseHeadersRead);
            await foreach (var sse in JobWatchTests.ReadEvents(events))
            {
                if (sse.Name == "progress" && sse.Data.GetProperty("done").GetInt32() >= 100)
                {
                    break;
                }
            }

            await first.KillAsync();
            using var second = CliProcess.Start(Serve(data.Path, port));
            var (code, output, error) = await watching.WaitAsync(TimeSpan.FromMinutes(2));

            Assert.True(code == 0, error);
            Assert.Contains("600/600", output, StringComparison.Ordinal);
            Assert.Contains("\"status\":\"finished\"", output, StringComparison.Ordinal);
        }
        finally
        {
            first.Dispose();
        }
    }
}
