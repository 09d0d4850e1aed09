using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Host.Tests;

/// <summary>
/// The host on the default configuration plus a model repository (Triton's layout) that the tests write:
/// <c>identity</c> (versions 1 and 2; one Identity per v2 datatype, inputs <c>in_&lt;type&gt;</c>, outputs
/// <c>out_&lt;type&gt;</c>, each [N]), <c>linear</c> (y = x·W + b, x FP32 [N, 3], batching from its config.json), <c>bytes</c> (one BYTES
/// Identity: <c>in</c> → <c>out</c>, [N]) and <c>broken</c> (not an ONNX file: it fails to load; the server is ready without it).
/// </summary>
public sealed class TensorServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>The v2 datatypes and the element types the identity model carries them as.</summary>
    public static readonly (string Datatype, TensorElementType Type)[] Datatypes =
    [
        ("BOOL", TensorElementType.Bool), ("UINT8", TensorElementType.UInt8), ("UINT16", TensorElementType.UInt16),
        ("UINT32", TensorElementType.UInt32), ("UINT64", TensorElementType.UInt64), ("INT8", TensorElementType.Int8),
        ("INT16", TensorElementType.Int16), ("INT32", TensorElementType.Int32), ("INT64", TensorElementType.Int64),
        ("FP16", TensorElementType.Float16), ("FP32", TensorElementType.Float), ("FP64", TensorElementType.Double),
        ("BF16", TensorElementType.BFloat16), ("BYTES", TensorElementType.String),
    ];

    private readonly string _repository = Path.Combine(Path.GetTempPath(), "modelactors-repo-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes the repository.</summary>
    public TensorServer()
    {
        var identity = new OnnxGraphBuilder();
        foreach (var (datatype, type) in Datatypes)
        {
            var suffix = datatype.ToLowerInvariant();
            identity.Input("in_" + suffix, type, "N").Node("Identity", ["in_" + suffix], ["out_" + suffix]).Output("out_" + suffix, type, "N");
        }

        Write("identity/1/model.onnx", identity.Build());
        Write("identity/2/model.onnx", identity.Build());
        Write("linear/model.onnx", new OnnxGraphBuilder()
            .Input("x", TensorElementType.Float, "N", 3)
            .Initializer("w", new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2)
            .Initializer("b", new float[] { 0.5f, -1 }, 2)
            .Node("MatMul", ["x", "w"], ["xw"])
            .Node("Add", ["xw", "b"], ["y"])
            .Output("y", TensorElementType.Float, "N", 2)
            .Build());
        Write("bytes/model.onnx", new OnnxGraphBuilder().Input("in", TensorElementType.String, "N").Node("Identity", ["in"], ["out"]).Output("out", TensorElementType.String, "N").Build());
        Write("broken/model.onnx", "not an ONNX file"u8.ToArray());
        File.WriteAllText(Path.Combine(_repository, "linear", "config.json"), """{ "MaxBatchSize": 8, "Settings": { "IntraOpNumThreads": 1 } }""");
    }

    /// <summary>Starts the server and waits until it has loaded the repository's models (their signatures check requests).</summary>
    public Task InitializeAsync() => this.ModelsLoadedAsync();

    /// <inheritdoc />
    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("model-repository", _repository);
        builder.UseSetting("Server:MaxRequestBodySize", "65536");
        builder.UseSetting("ModelActors:RequiredModels:0", "identity"); // broken fails to load; the server is ready without it
        builder.UseSetting("ModelActors:RequiredModels:1", "linear");
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_repository, recursive: true);
        }
        catch (IOException)
        {
            // A session may still map the file on some platforms; the temp folder is cleaned by the OS.
        }
    }

    private void Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(_repository, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
