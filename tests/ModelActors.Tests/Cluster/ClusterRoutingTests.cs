using Akka.Actor;
using ModelActors.Onnx;

namespace ModelActors.Tests.Cluster;

/// <summary>
/// Three actor systems on loopback form a cluster in this process: a front end hosting "outer", and two nodes hosting
/// "inner" and "sum". Models are called from the front end by every door: clients, dependencies, actors.
/// </summary>
[Collection(Packaging.DotnetBuilds.Name)]
public sealed class ClusterRoutingTests(ClusterRoutingTests.ThreeNodes nodes) : IClassFixture<ClusterRoutingTests.ThreeNodes>
{
    private readonly ClusterNode _front = nodes.Front;

    [Fact]
    public async Task A_model_hosted_on_two_nodes_is_called_from_a_third_and_work_lands_on_both()
    {
        var inner = _front.Library.Get<string, string>("inner");
        var nodes = new HashSet<string>();
        for (var i = 0; i < 500 && nodes.Count < 2; i++)
        {
            var answer = await inner.PredictAsync($"r{i}");
            Assert.EndsWith($":r{i}", answer, StringComparison.Ordinal);
            nodes.Add(answer.Split(':')[0]);
        }

        Assert.Equal(["b", "c"], nodes.Order());
        Assert.Equal(ModelState.Ready, _front.Library.Describe("inner").State);
    }

    [Fact]
    public async Task An_onnx_model_hosted_elsewhere_has_the_tensor_signature_its_nodes_report_and_answers()
    {
        await _front.Library.LoadModelAsync("identity");

        var signature = _front.Library.GetTensorSignature("identity");
        Assert.NotNull(signature);
        Assert.Equal("x", Assert.Single(signature.Inputs).Name);
        Assert.Equal([-1L, 4L], signature.Inputs[0].Dimensions);
        Assert.Equal(TensorElementType.Float, signature.Outputs[0].ElementType);

        var answer = await _front.Library.Get<OnnxTensors, OnnxTensors>("identity").PredictAsync(new OnnxTensors { ["x"] = OnnxTensor.Create(new[] { 1f, 2f, 3f, 4f }, 1, 4) });
        Assert.Equal([1f, 2f, 3f, 4f], answer["y"].GetData<float>());
    }

    [Fact]
    public void Describe_shows_each_models_replicas_per_node()
    {
        var inner = _front.Library.Describe("inner").ReplicasByNode!;
        var outer = _front.Library.Describe("outer").ReplicasByNode!;

        Assert.Equal(2, inner.Count);
        Assert.All(inner, node => Assert.Equal(2, node.Value));
        Assert.DoesNotContain(_front.Address.ToString(), inner.Keys);
        Assert.Equal([_front.Address.ToString()], outer.Keys);
    }

    [Fact]
    public async Task A_dependency_on_another_node_is_called_through_the_cluster()
    {
        var answer = await _front.Library.Get<string, string>("outer").PredictAsync("y");

        Assert.Matches("^async\\((b|c):y\\)$", answer);
    }

    [Fact]
    public async Task Blocking_callers_and_batches_cross_too()
    {
        Assert.Matches("^(b|c):z$", _front.Library.GetSync<string, string>("inner").Predict("z"));

        var answers = await _front.Library.Get<string, string>("inner").PredictBatchAsync(["p", "q", "r"]);
        Assert.Equal(["p", "q", "r"], answers.Select(a => a.Split(':')[1]));
    }

    [Fact]
    public async Task An_actor_asks_the_models_router_on_its_own_node_and_gets_the_reply_from_another()
    {
        var reply = await _front.Library.RouterOf("inner").Ask<ModelReply<string>>(new ModelRequest<string>(["m", "n"]), TimeSpan.FromSeconds(10));

        Assert.Equal(["m", "n"], reply.Results.Select(r => r.Split(':')[1]));
    }

    [Fact]
    public async Task A_models_own_exception_crosses_with_its_type_message_and_model_name()
    {
        var error = await Assert.ThrowsAsync<ModelFailure>(() => _front.Library.Get<string, string>("inner").PredictAsync("bad-item").AsTask());

        Assert.Equal("cannot handle bad-item", error.Message);
        Assert.Equal("inner", ModelErrors.GetModelName(error));

        var viaActor = await Assert.ThrowsAsync<ModelFailure>(() => _front.Library.RouterOf("inner").Ask<ModelReply<string>>(new ModelRequest<string>(["bad-too"]), TimeSpan.FromSeconds(10)));
        Assert.Equal("cannot handle bad-too", viaActor.Message);
    }

    [Fact]
    public async Task A_ten_megabyte_tensor_crosses_and_gets_the_right_answer()
    {
        var data = new float[2_500_000]; // 10 MB
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = i % 7;
        }

        var answer = await _front.Library.Get<OnnxTensors, OnnxTensors>("sum").PredictAsync(new OnnxTensors { ["x"] = OnnxTensor.Create(data, 1, data.Length) });

        Assert.Equal(data.Length, answer["count"].GetData<long>()[0]);
        Assert.Equal(data.Sum(v => (double)v), answer["sum"].GetData<double>()[0]);
        Assert.Contains(answer["node"].GetData<string>()[0], new[] { "b", "c" });
    }

    [Fact]
    public async Task Values_the_wire_cannot_carry_fail_at_once_with_the_reason()
    {
        var client = _front.Library.Get<float, float>("nan");

        var reply = await Assert.ThrowsAsync<InvalidOperationException>(() => client.PredictAsync(1f).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("The reply of model 'nan' cannot be sent", reply.Message, StringComparison.Ordinal);

        var request = await Assert.ThrowsAsync<ArgumentException>(() => client.PredictAsync(float.NaN).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("The request to model 'nan' cannot be sent", request.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_over_the_frame_size_fails_at_once_naming_the_model_and_sizes()
    {
        var data = new float[5_000_000]; // 20 MB, over the nodes' 16 MiB frames
        var call = _front.Library.Get<OnnxTensors, OnnxTensors>("sum").PredictAsync(new OnnxTensors { ["x"] = OnnxTensor.Create(data, 1, data.Length) }).AsTask();

        // Well under the request's 30 s deadline, so it failed on its size, not by timing out; not tighter: writing 20 MB
        // to measure it took over 5 s on a loaded CI machine (a Debug build).
        var error = await Assert.ThrowsAsync<ModelMessageTooLargeException>(() => call.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("sum", error.ModelName);
        Assert.True(error.Size > 20_000_000, error.Message);
        Assert.Contains("maximum message size", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The cluster the tests share (it takes seconds to form): "b" and "c" host "inner" and "sum", the front end "outer".</summary>
    public sealed class ThreeNodes : IAsyncLifetime
    {
        private ClusterNode? _b;
        private ClusterNode? _c;

        public ClusterNode Front { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _b = ClusterNode.Start(["inner", "sum", "nan", "identity"], Models("b"));
            _c = ClusterNode.Start(["inner", "sum", "nan", "identity"], Models("c"));
            Front = ClusterNode.Start(["outer"], Models("front"));
            _b.Join(_b);
            _c.Join(_b);
            Front.Join(_b);
            await Front.WhenUpAsync(3);
            await Front.Library.LoadAsync();
        }

        public async Task DisposeAsync()
        {
            await Front.DisposeAsync();
            await _c!.DisposeAsync();
            await _b!.DisposeAsync();
        }

        /// <summary>An ONNX model (y = x, float [N, 4]) every node registers, written once for the test run.</summary>
        private static readonly string IdentityModelPath = WriteIdentityModel();

        private static string WriteIdentityModel()
        {
            var path = Path.Combine(Path.GetTempPath(), $"modelactors-cluster-identity-{Environment.ProcessId}.onnx");
            File.WriteAllBytes(path, new ModelActors.TestKit.Onnx.OnnxGraphBuilder()
                .Input("x", TensorElementType.Float, "N", 4).Node("Identity", ["x"], ["y"]).Output("y", TensorElementType.Float, "N", 4).Build());
            return path;
        }

        private static Action<ModelLibraryBuilder> Models(string node) => models => models
            .AddModel("inner", o => o.Replicas = 2, factory: _ => new NodeTagModel(node))
            .AddModel("nan", factory: _ => new NaNModel())
            .AddOnnxModel("identity", IdentityModelPath)
            .AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inner"))
            .AddModel("sum", factory: _ => new TensorSumModel(node));
    }
}
