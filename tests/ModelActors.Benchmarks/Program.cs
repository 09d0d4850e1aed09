using BenchmarkDotNet.Running;
using ModelActors.Benchmarks;

if (args.Length > 0 && args[0] == "batching")
{
    await BatchingLoadBenchmark.RunAsync(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "onnx")
{
    await OnnxThroughputBenchmark.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>The benchmark runner's entry point.</summary>
public partial class Program;
