using System.CommandLine;
using ModelActors.Host.Cli;
using Spectre.Console.Testing;

namespace ModelActors.Host.Tests;

/// <summary>The bench command on an interactive terminal: a live progress bar, then the results table.</summary>
public sealed class BenchProgressTests
{
    [Fact]
    public async Task OnATerminal_BenchShowsAProgressBar_ThenTheResultsTable()
    {
        var console = new TestConsole().Interactive().Width(160);
        string[] args = ["bench", "echo", "\"x\"", "--requests", "2000", "--concurrency", "2"];

        var code = await ModelActorsCommand.Create(console, TextWriter.Null, args).Parse(args).InvokeAsync();

        Assert.Equal(0, code);
        Assert.Contains("bench", console.Output, StringComparison.Ordinal);      // the progress task's label
        Assert.Contains("100%", console.Output, StringComparison.Ordinal);       // the bar reached the end
        Assert.Contains("p99 ms", console.Output, StringComparison.Ordinal);     // then the table
        Assert.Contains("│ echo ", console.Output, StringComparison.Ordinal);
    }
}
