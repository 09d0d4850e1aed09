using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace ModelActors.Host.Tests;

/// <summary>
/// The server on a Triton repository the tests change while it runs, under a model control mode: <c>scale</c> (version 1,
/// y = x, dynamic batching), <c>other</c> (y = 3x, no configuration), <c>chain</c> (an ensemble of one step: other) and <c>broken</c> (a config.pbtxt that does not parse).
/// </summary>
public abstract class ControlledRepository : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>One v2 request of a row of three floats, as every model of the repository takes it.</summary>
    public const string OneRow = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""";

    private readonly string _mode;
    private readonly string[] _extra;

    /// <summary>Writes the repository.</summary>
    protected ControlledRepository(string mode, params string[] extra)
    {
        (_mode, _extra) = (mode, extra);
        Write("scale/1/model.onnx", TritonRepository.Scale(1));
        Write("scale/config.pbtxt", "max_batch_size: 8\ndynamic_batching { }\ninstance_group [ { count: 2 } ]");
        Write("other/1/model.onnx", TritonRepository.Scale(3));
        Write("broken/1/model.onnx", TritonRepository.Scale(1));
        Write("broken/config.pbtxt", "max_batch_size: [");
        Write("chain/config.pbtxt", TritonRepository.Ensemble("chain", "dims: [ 3 ]", ("other", "INPUT", "OUTPUT")));
        Write("loop-a/config.pbtxt", TritonRepository.Ensemble("loop-a", "dims: [ 3 ]", ("loop-b", "INPUT", "OUTPUT")));
        Write("loop-b/config.pbtxt", TritonRepository.Ensemble("loop-b", "dims: [ 3 ]", ("loop-a", "INPUT", "OUTPUT")));
    }

    private readonly RepositoryFolder _folder = new();

    /// <summary>The repository's folder.</summary>
    public string Repository => _folder.Path;

    /// <summary>What the server logged.</summary>
    public LogLines Log { get; } = new();

    /// <summary>Writes a file of the repository (folders made as needed).</summary>
    public void Write(string relative, byte[] bytes) => _folder.Write(relative, bytes);

    /// <summary>Writes a text file of the repository.</summary>
    public void Write(string relative, string text) => _folder.Write(relative, text);

    /// <summary>Starts the server and waits until its start-up models were tried.</summary>
    public Task InitializeAsync() => this.ModelsLoadedAsync();

    /// <inheritdoc />
    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("model-repository", Repository);
        builder.UseSetting("Server:ModelControlMode", _mode);
        builder.UseSetting("ModelActors:RequiredModels:0", "scale");
        for (var i = 0; i < _extra.Length; i += 2)
        {
            builder.UseSetting(_extra[i], _extra[i + 1]);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Log));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

/// <summary><see cref="ControlledRepository"/> in explicit mode, <c>scale</c> loaded at start.</summary>
public sealed class ExplicitRepository() : ControlledRepository("explicit", "Server:LoadModels:0", "scale");

/// <summary><see cref="ControlledRepository"/> in poll mode, scanned every second.</summary>
public sealed class PollingRepository() : ControlledRepository("poll", "Server:RepositoryPollSecs", "1");
