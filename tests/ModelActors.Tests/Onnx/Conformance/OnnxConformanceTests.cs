using System.Text;
using Xunit.Abstractions;

namespace ModelActors.Tests.Onnx.Conformance;

/// <summary>
/// Every ONNX backend node test from Debian's libonnx-testdata (ONNX 1.12) runs through InferenceSession on the ONNX Runtime package.
/// .ci/run installs the package; locally: apt-get install libonnx-testdata, or set ONNX_TESTDATA_DIR.
/// Set MODELACTORS_CONFORMANCE_REPORT to a file path to write the full report (docs/ONNX-CONFORMANCE.md).
/// </summary>
public sealed class OnnxConformanceTests(ITestOutputHelper output)
{
    private static readonly string[] Candidates =
    [
        Environment.GetEnvironmentVariable("ONNX_TESTDATA_DIR") ?? string.Empty,
        "/usr/include/onnx/backend/test/data",
        Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache/modelactors/onnx-testdata/usr/include/onnx/backend/test/data"),
    ];

    [Fact]
    public void EveryPlainTensorNodeTest_MatchesItsExpectedOutputs()
    {
        var root = Candidates.FirstOrDefault(c => c.Length > 0 && Directory.Exists(Path.Combine(c, "node")))
            ?? throw new DirectoryNotFoundException("ONNX backend test data not found: install Debian's libonnx-testdata (.ci/run does), or set ONNX_TESTDATA_DIR to its data folder.");
        var cases = Directory.GetDirectories(Path.Combine(root, "node")).Order(StringComparer.Ordinal).ToList();

        var results = cases.Select(ConformanceRunner.Run).ToList();

        var passed = results.Count(r => r.Outcome == "passed");
        var skipped = results.Where(r => r.Outcome == "skipped").ToList();
        var failed = results.Where(r => r.Outcome == "failed").ToList();
        output.WriteLine($"ONNX node tests: {passed} passed, {failed.Count} failed, {skipped.Count} skipped, of {results.Count}");
        foreach (var failure in failed)
        {
            output.WriteLine($"FAILED {failure.Name}: {failure.Detail}");
        }

        if (Environment.GetEnvironmentVariable("MODELACTORS_CONFORMANCE_REPORT") is { Length: > 0 } report)
        {
            File.WriteAllText(report, Report(results));
        }

        Assert.True(passed > 0);
        Assert.True(failed.Count == 0, $"{failed.Count} conformance case(s) failed:\n" + string.Join("\n", failed.Select(f => $"{f.Name}: {f.Detail}")));
    }

    private static string Report(IReadOnlyList<CaseResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("# ONNX backend conformance");
        text.AppendLine();
        text.AppendLine($"Every node test of ONNX 1.12's backend test data (Debian `libonnx-testdata`), run through ModelActors' `InferenceSession` on the official `Microsoft.ML.OnnxRuntime` package ({ModelActors.Onnx.InferenceSession.RuntimeVersion}) and compared with the expected outputs (rtol 1e-3, atol 1e-7 for floating point; exact for integers, bools and strings).");
        text.AppendLine("ONNX 1.12 stores its bfloat16 test tensors as uint16 bit patterns; where the graph declares bfloat16 they are read as bfloat16.");
        text.AppendLine("Regenerate: `MODELACTORS_CONFORMANCE_REPORT=$PWD/docs/ONNX-CONFORMANCE.md dotnet test tests/ModelActors.Tests --filter OnnxConformance`.");
        text.AppendLine();
        text.AppendLine($"**{results.Count(r => r.Outcome == "passed")} passed, {results.Count(r => r.Outcome == "failed")} failed, {results.Count(r => r.Outcome == "skipped")} skipped, of {results.Count} cases.**");
        text.AppendLine();
        text.AppendLine("## Skipped, with the reason");
        text.AppendLine();
        text.AppendLine("| case | reason |");
        text.AppendLine("|---|---|");
        foreach (var skip in results.Where(r => r.Outcome != "passed"))
        {
            text.AppendLine($"| {skip.Name} | {(skip.Outcome == "failed" ? "FAILED: " : string.Empty)}{skip.Detail.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        return text.ToString();
    }
}
