using System.Diagnostics;

namespace ModelActors.Tests.Onnx;

/// <summary>ONNX Runtime's native library comes with the package: a published app finds it beside itself.</summary>
[Collection(Packaging.DotnetBuilds.Name)]
public sealed class PublishTests
{
    [Fact]
    public async Task APublishedApp_LoadsOnnxRuntimeFromItsOwnFolder_AndRunsAModel()
    {
        var project = Path.Combine(Packaging.RepositoryRoot.Find(), "tests", "PublishCheck", "PublishCheck.csproj");
        var output = Directory.CreateTempSubdirectory("modelactors-publish-").FullName;
        try
        {
            var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
            var publish = await RunAsync("dotnet", $"publish \"{project}\" -c Release -r {rid} --self-contained false -o \"{output}\"");
            Assert.True(publish.ExitCode == 0, publish.Output);
            Assert.NotEmpty(Directory.GetFiles(output, "libonnxruntime.*"));

            var run = await RunAsync("dotnet", $"\"{Path.Combine(output, "PublishCheck.dll")}\"");

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains("onnxruntime 1.31.1: 2,4,6", run.Output);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await stdout + await stderr);
    }
}
