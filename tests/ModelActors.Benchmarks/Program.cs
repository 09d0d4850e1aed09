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

if (args.Length > 0 && args[0] == "cluster")
{
    await ClusterBenchmark.RunAsync(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "jobs")
{
    await JobBenchmark.RunAsync(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "vad")
{
    await VadBenchmark.RunAsync(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "connection-cost")
{
    await ConnectionCostBenchmark.RunAsync(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "overload")
{
    await OverloadBenchmark.RunAsync(args[1..]);
    return;
}

if (args is ["http-setup", var directory])
{
    HttpBenchmark.Setup(directory);
    return;
}

if (args is ["grpc-load", var grpcUrl, var httpUrl, var body, var seconds])
{
    await GrpcBenchmark.RunAsync(grpcUrl, httpUrl, body, double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args is ["bare-kestrel", var url])
{
    await HttpBenchmark.BareKestrelAsync(url);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(OnnxThroughputBenchmark).Assembly).Run(args);

/// <summary>The benchmark runner's entry point.</summary>
public partial class Program;
