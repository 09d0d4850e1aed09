using System.Diagnostics;

namespace ModelActors.Tests.Packaging;

/// <summary>
/// The packages as a user takes them: build/consumer-check.sh packs them into a local feed (checking each carries its
/// licence, readme, docs and symbols), builds the README's quickstart (C# models only) from it, runs it, fails when its
/// build output reaches 15 MB (the core must not carry ONNX Runtime's natives), and makes a service with the
/// <c>dotnet new</c> templates, builds it and runs its tests. Shares a collection with the publish test: both build the
/// library projects in Release.
/// </summary>
[Collection(DotnetBuilds.Name)]
public sealed class ConsumerPackageTests
{
    [Fact]
    public async Task TheQuickstartAndTheTemplates_BuiltFromThePackedPackages_RunStaySmallAndPassTheirTests()
    {
        var root = RepositoryRoot.Find();
        var work = Directory.CreateTempSubdirectory("modelactors-consumer-").FullName;
        try
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(root, "build", "consumer-check.sh"), work])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            var output = await stdout + await stderr;

            Assert.True(process.ExitCode == 0, output);
            Assert.Contains("word-count: 4", output);
            Assert.Contains("build output:", output);
            Assert.Contains("pretrained: models/ arrives with the package", output);
            Assert.Contains("template: modelactors-service and modelactors-model built and their 7 tests passed", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}

/// <summary>
/// Tests that need the machine to themselves: <c>dotnet</c> builds of the repository's projects, and clusters of actor
/// systems (a concurrent build could starve their heartbeats until a node looks unreachable). Never two at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DotnetBuilds
{
    /// <summary>The collection's name.</summary>
    public const string Name = "dotnet builds";
}
