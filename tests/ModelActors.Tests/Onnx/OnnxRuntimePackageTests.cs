using ModelActors.Onnx;
using ModelActors.Onnx.Runtime;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Tests.Onnx;

/// <summary>What ModelActors adds around the ONNX Runtime package: the run lease, the error mapping, telemetry off.</summary>
public sealed class OnnxRuntimePackageTests
{
    [Fact]
    public void TheLease_ReleasesOnce_WhenTheLastRunLeavesAfterClose()
    {
        var released = 0;
        var lease = new RunLease(() => released++);

        Assert.True(lease.TryEnter());
        Assert.True(lease.TryEnter());
        lease.Close();
        Assert.False(lease.TryEnter());
        lease.Exit();
        Assert.Equal(0, released);
        lease.Exit();
        Assert.Equal(1, released);
        lease.Close();
        Assert.Equal(1, released);
    }

    [Fact]
    public void TheLease_ReleasesAtOnce_WhenClosedWithNoRunInFlight()
    {
        var released = 0;
        var lease = new RunLease(() => released++);

        lease.Close();

        Assert.Equal(1, released);
        Assert.False(lease.TryEnter());
    }

    [Fact]
    public void RunningADisposedSession_IsAnObjectDisposedException_NotACrash()
    {
        var session = new InferenceSession(TestModelFiles.Linear());
        session.Dispose();
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(new float[3], 1, 3) }));
    }

    [Fact]
    public async Task DisposingWhileRunsAreInFlight_LetsThemFinish_AndRefusesTheRest()
    {
        var session = new InferenceSession(TestModelFiles.Linear());
        var running = new CountdownEvent(4);
        var workers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            var answered = 0;
            for (var i = 0; ; i++)
            {
                float[] x = [t, i, 1];
                try
                {
                    var y = session.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(x, 1, 3) })["y"].GetData<float>();
                    Assert.Equal(TestModelFiles.LinearExpected(x), y);
                    if (++answered == 1)
                    {
                        running.Signal();
                    }
                }
                catch (ObjectDisposedException)
                {
                    return answered;
                }
            }
        })).ToArray();
        Assert.True(running.Wait(TimeSpan.FromMinutes(1))); // every worker has a correct answer and keeps running

        session.Dispose(); // races the runs: each completes correctly or is refused; the process lives

        var answers = await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.All(answers, a => Assert.True(a > 0));
    }

    [Theory]
    [InlineData("[ErrorCode:NoSuchFile] Load model from x failed", OrtErrorCode.NoSuchFile, "Load model from x failed")]
    [InlineData("[ErrorCode:InvalidProtobuf] Failed to load model", OrtErrorCode.InvalidProtobuf, "Failed to load model")]
    [InlineData("[ErrorCode:NotImplemented] Could not find an implementation", OrtErrorCode.NotImplemented, "Could not find an implementation")]
    [InlineData("no prefix at all", OrtErrorCode.Fail, "no prefix at all")]
    public void ThePackagesErrorPrefix_BecomesTheTypedCode(string message, OrtErrorCode code, string native)
    {
        var mapped = OrtErrors.FromMessage(message);

        Assert.Equal(code, mapped.ErrorCode);
        Assert.Equal(native, mapped.NativeMessage);
    }

    [Fact]
    public void AModelWithAFloat8Input_IsRefused_NamingTheInputAndItsType()
    {
        var model = new OnnxGraphBuilder(opset: 19, irVersion: 9)
            .Input("codes", (TensorElementType)17, "N")
            .Node("Cast", ["codes"], ["values"], ("to", 1L))
            .Output("values", TensorElementType.Float, "N")
            .Build();

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(model));

        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("input 'codes' is float8 (FLOAT8E4M3FN)", error.Message);
    }

    [Fact]
    public async Task CancellingALongRun_TerminatesItBetweenOperators()
    {
        // 3,000 MatMuls of [2048, 512] × [512, 512] on one thread: far longer than the cancel's delay even when the
        // timer fires late on a loaded machine (with 500, about 2 s of work here, a full test run once saw the run end
        // before its CancelAfter timer fired).
        var builder = new OnnxGraphBuilder().Input("x", TensorElementType.Float, 2048, 512)
            .Initializer("w", [.. Enumerable.Range(0, 512 * 512).Select(i => (i % 7) * 0.001f)], 512, 512);
        var previous = "x";
        for (var i = 0; i < 3000; i++)
        {
            builder.Node("MatMul", [previous, "w"], [$"h{i}"]);
            previous = $"h{i}";
        }

        using var session = new InferenceSession(builder.Output(previous, TensorElementType.Float, 2048, 512).Build(), new OnnxSessionOptions { IntraOpNumThreads = 1 });
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => session.Run(new Dictionary<string, OnnxTensor> { ["x"] = OnnxTensor.Create(new float[2048 * 512], 2048, 512) }, cancellationToken: cts.Token));

        cts.CancelAfter(TimeSpan.FromMilliseconds(300)); // well inside the run; the test waits on the run, not on time
        var cancelled = await Assert.ThrowsAsync<OperationCanceledException>(() => run);

        var terminated = Assert.IsType<OnnxRuntimeException>(cancelled.InnerException); // stopped inside ONNX Runtime, not before it
        Assert.Contains("terminate", terminated.NativeMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void OnnxRuntimesOwnLogLines_GoToTheLogger()
    {
        // The package's session does not check for a missing input: the kernel fails and ORT logs an error.
        var model = new OnnxGraphBuilder()
            .Input("a", TensorElementType.Float, 2).Input("b", TensorElementType.Float, 2)
            .Node("Add", ["a", "b"], ["sum"])
            .Output("sum", TensorElementType.Float, 2)
            .Build();
        var logger = new CapturingLogger();
        using var session = new InferenceSession(model); // creates the environment with its log callback
        InferenceSession.UseLogger(logger);
        try
        {
            using var raw = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
            using var a = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new float[] { 1, 2 }, [2]);
            using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
            Assert.ThrowsAny<Exception>(() => raw.Run(runOptions, ["a"], [a], ["sum"]));
        }
        finally
        {
            InferenceSession.UseLogger(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        }

        Assert.Contains(logger.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error && l.Message.Contains("ONNX Runtime", StringComparison.Ordinal));
    }

    [Fact]
    public void Telemetry_IsOffByDefault_BeforeOnnxRuntimesFirstUse()
    {
        using var session = new InferenceSession(TestModelFiles.Linear());

        Assert.False(InferenceSession.AllowTelemetry);
        Assert.Equal("1", Environment.GetEnvironmentVariable("ORT_DISABLE_TELEMETRY"));
    }

    private sealed class CapturingLogger : Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
