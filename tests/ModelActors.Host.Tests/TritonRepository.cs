using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Host.Tests;

/// <summary>
/// The server on a model repository written for Triton (config.pbtxt, version folders), built by the tests: <c>scale</c>
/// (y = x · version, x FP32 [N, 3]; versions 1 and 2, policy all, 2 CPU instances, dynamic batching up to 8 with a
/// 500 µs delay and a queue of 64, a zero-data warm-up, fields not served), <c>latest</c> (versions 1–3, latest 2, no
/// batch axis), <c>specific</c> (versions 1–3, specific 1 and 3), the ensembles <c>pipeline</c> (scale's newest then latest's:
/// 6x), <c>badpipe</c> (its input fits no step), <c>orphan</c> (a step's model is not served) and <c>gap</c> (a step's
/// input is made by nothing), <c>counted</c> (called by the statistics test only), and models whose configuration cannot be served:
/// <c>reshaped</c> (y = 2x, clients send x [N, 3, 1] and get y [N, 1, 3]), <c>gpu</c>, <c>tensorrt</c>, <c>typo</c>, <c>mismatch</c>, <c>both</c>, <c>badwarmup</c>.
/// </summary>
public sealed class TritonRepository : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>The scale model's configuration.</summary>
    public const string ScaleConfig = """
        name: "scale"
        platform: "onnxruntime_onnx"
        max_batch_size: 8
        input [ { name: "x", data_type: TYPE_FP32, dims: [ 3 ] } ]
        output [ { name: "y", data_type: TYPE_FP32, dims: [ 3 ] } ]
        instance_group [ { count: 2, kind: KIND_CPU } ]
        dynamic_batching {
          max_queue_delay_microseconds: 500
          preferred_batch_size: [ 4 ]
          default_queue_policy { max_queue_size: 64 }
        }
        version_policy: { all { } }
        parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
        parameters { key: "unknown_knob" value: { string_value: "on" } }
        optimization { input_pinned_memory { enable: true } }
        model_warmup [ {
          name: "zeros"
          batch_size: 2
          inputs { key: "x" value: { data_type: TYPE_FP32, dims: [ 3 ], zero_data: true } }
        } ]
        """;

    private readonly RepositoryFolder _folder = new();

    /// <summary>Writes the repository.</summary>
    public TritonRepository()
    {
        foreach (var version in new[] { 1, 2 })
        {
            Write($"scale/{version}/model.onnx", Scale(version));
        }

        Write("scale/config.pbtxt", ScaleConfig);
        foreach (var version in new[] { 1, 2, 3 })
        {
            Write($"latest/{version}/model.onnx", Scale(version));
            Write($"specific/{version}/model.onnx", Scale(version));
        }

        Write("latest/config.pbtxt", "version_policy: { latest: { num_versions: 2 } }\ninput [ { name: \"x\", data_type: TYPE_FP32, dims: [ -1, 3 ] } ]");
        Write("specific/config.pbtxt", "backend: \"onnxruntime\"\nmax_batch_size: 4\nversion_policy: { specific: { versions: [ 1, 3 ] } }");
        Write("counted/1/model.onnx", Scale(1));
        Write("counted/config.pbtxt", "max_batch_size: 8\ndynamic_batching { }");
        Directory.CreateDirectory(Path.Combine(_folder.Path, "pipeline", "1")); // an ensemble's (empty) version folder, as in Triton
        Write("pipeline/config.pbtxt", Ensemble("pipeline", "dims: [ 3 ]", ("scale", "INPUT", "mid"), ("latest", "mid", "OUTPUT")));
        Write("badpipe/config.pbtxt", Ensemble("badpipe", "dims: [ 4 ]", ("scale", "INPUT", "OUTPUT")));
        Write("orphan/config.pbtxt", Ensemble("orphan", "dims: [ 3 ]", ("nothere", "INPUT", "OUTPUT")));
        Write("gap/config.pbtxt", Ensemble("gap", "dims: [ 3 ]", ("scale", "elsewhere", "OUTPUT")));
        Write("reshaped/1/model.onnx", Scale(2));
        Write("reshaped/config.pbtxt", """
            max_batch_size: 4
            dynamic_batching { }
            input [ { name: "x", data_type: TYPE_FP32, dims: [ 3, 1 ], reshape: { shape: [ 3 ] } } ]
            output [ { name: "y", data_type: TYPE_FP32, dims: [ 1, 3 ], reshape: { shape: [ 3 ] } } ]
            model_warmup [ { name: "declared-dims", batch_size: 2, inputs { key: "x" value: { data_type: TYPE_FP32, dims: [ 3, 1 ], random_data: true } } } ]
            """);
        Write("gpu/1/model.onnx", Scale(1));
        Write("gpu/config.pbtxt", "max_batch_size: 4\ninstance_group [ { kind: KIND_GPU } ]");
        Write("tensorrt/1/model.plan", "not ONNX"u8.ToArray());
        Write("tensorrt/config.pbtxt", "platform: \"tensorrt_plan\"\nmax_batch_size: 4");
        Write("typo/1/model.onnx", Scale(1));
        Write("typo/config.pbtxt", "name: \"typo\"\nmax_batch_sise: 4");
        Write("mismatch/1/model.onnx", Scale(1));
        Write("mismatch/config.pbtxt", "max_batch_size: 4\ninput [ { name: \"x\", data_type: TYPE_FP32, dims: [ 4 ] } ]");
        Write("both/1/model.onnx", Scale(1));
        Write("both/config.pbtxt", "max_batch_size: 4");
        Write("both/config.json", "{}");
        Write("badwarmup/1/model.onnx", Scale(1));
        Write("badwarmup/warmup/short.bin", new byte[4]);
        Write("badwarmup/config.pbtxt", """
            max_batch_size: 4
            model_warmup [ { name: "short", batch_size: 1, inputs { key: "x" value: { data_type: TYPE_FP32, dims: [ 3 ], input_data_file: "short.bin" } } } ]
            """);
    }

    /// <summary>An ensemble config: FP32 INPUT → OUTPUT through steps (model, the ensemble tensor into its x, the one its y becomes).</summary>
    public static string Ensemble(string name, string inputDims, params (string Model, string From, string To)[] steps) => $$"""
        name: "{{name}}"
        platform: "ensemble"
        max_batch_size: 8
        input [ { name: "INPUT", data_type: TYPE_FP32, {{inputDims}} } ]
        output [ { name: "OUTPUT", data_type: TYPE_FP32, dims: [ 3 ] } ]
        ensemble_scheduling { step [ {{string.Join(", ", steps.Select(s => $$"""{ model_name: "{{s.Model}}", model_version: -1, input_map { key: "x", value: "{{s.From}}" }, output_map { key: "y", value: "{{s.To}}" } }"""))}} ] }
        """;

    /// <summary>What the server logged.</summary>
    public LogLines Log { get; } = new();

    /// <summary>A model y = x · <paramref name="factor"/> on x FP32 [N, 3].</summary>
    public static byte[] Scale(float factor) => new OnnxGraphBuilder()
        .Input("x", TensorElementType.Float, "N", 3)
        .Initializer("k", [factor], 1)
        .Node("Mul", ["x", "k"], ["y"])
        .Output("y", TensorElementType.Float, "N", 3)
        .Build();

    /// <summary>Starts the server and waits until every model was tried once.</summary>
    public Task InitializeAsync() => this.ModelsLoadedAsync();

    /// <inheritdoc />
    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("model-repository", _folder.Path);
        builder.UseSetting("ModelActors:RequiredModels:0", "scale");
        builder.ConfigureLogging(logging => logging.AddProvider(Log));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }

    private void Write(string relative, string text) => _folder.Write(relative, text);

    private void Write(string relative, byte[] bytes) => _folder.Write(relative, bytes);
}
