using System.Diagnostics;

namespace ModelActors.Host.Tests;

/// <summary>The Dockerfile, the compose file and the Kubernetes manifests, checked offline by <c>build/check-deploy.py</c>.</summary>
public sealed class DeployFilesTests
{
    private static readonly string Root = ReadmeCommandTests.RepositoryRoot();

    [Fact]
    public async Task The_deployment_files_pass_the_offline_check()
    {
        var (code, output) = await CheckAsync(Root);

        Assert.True(code == 0, output);
        Assert.Contains("deploy files: ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_check_names_what_is_wrong_in_broken_files()
    {
        var copy = Directory.CreateTempSubdirectory("modelactors-deploy-").FullName;
        try
        {
            foreach (var file in new[] { "Dockerfile", "config/modelactors.json", "deploy/compose.yaml", "deploy/kubernetes/kustomization.yaml", "deploy/kubernetes/services.yaml", "deploy/kubernetes/statefulset.yaml", "deploy/kubernetes/pdb.yaml" })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, file))!);
                File.Copy(Path.Combine(Root, file), Path.Combine(copy, file));
            }

            Edit(copy, "deploy/kubernetes/statefulset.yaml", "path: /v2/health/ready", "path: /healthz");
            Edit(copy, "deploy/kubernetes/statefulset.yaml", "terminationGracePeriodSeconds: 60", "terminationGracePeriodSeconds: 10");
            Edit(copy, "deploy/kubernetes/services.yaml", "publishNotReadyAddresses: true", "publishNotReadyAddresses: false");
            Edit(copy, "deploy/compose.yaml", "\"vad,speech-segments\"", "\"vad\"");
            Edit(copy, "Dockerfile", "USER $APP_UID", "USER app");

            var (code, output) = await CheckAsync(copy);

            Assert.Equal(1, code);
            Assert.Contains("readinessProbe must GET /v2/health/ready", output, StringComparison.Ordinal);
            Assert.Contains("terminationGracePeriodSeconds must exceed a stop", output, StringComparison.Ordinal);
            Assert.Contains("must publish pods that are not ready", output, StringComparison.Ordinal);
            Assert.Contains("no node hosts ['speech-segments']", output, StringComparison.Ordinal);
            Assert.Contains("non-root user given by number", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static void Edit(string root, string file, string from, string to)
    {
        var path = Path.Combine(root, file);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    private static async Task<(int Code, string Output)> CheckAsync(string root)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Root, "build", "check-deploy.py"));
        start.ArgumentList.Add(root);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
