using System.Buffers;
using Akka.Actor;
using Akka.Configuration;
using ModelActors.Actors;
using ModelActors.Onnx;
using ModelActors.Remote;

namespace ModelActors.Tests.Cluster;

/// <summary>The serializer of the messages that cross nodes: requests, replies and failures, as Akka's serialization uses it.</summary>
public sealed class MessageSerializerTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("serialization", ModelActorsConfig.Default.WithFallback(ConfigurationFactory.Default()));
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    public sealed record Point(double X, double Y, string Label);

    [Fact]
    public void Requests_and_replies_are_bound_to_the_model_serializer_not_the_default_json_one()
    {
        Assert.IsType<ModelMessageSerializer>(_system.Serialization.FindSerializerFor(new ModelRequest<Point>([])));
        Assert.IsType<ModelMessageSerializer>(_system.Serialization.FindSerializerFor(new ModelReply<string>([])));
        Assert.IsType<ModelMessageSerializer>(_system.Serialization.FindSerializerFor(RemoteFailure.From(new TimeoutException("late"), "m")));
    }

    [Fact]
    public void A_request_keeps_its_items_and_timeout_and_a_reply_its_results()
    {
        var request = RoundTrip(new ModelRequest<Point>([new Point(1.5, -2, "a"), new Point(0, 0, "ü")]) { Timeout = TimeSpan.FromMilliseconds(1234) });
        Assert.Equal([new Point(1.5, -2, "a"), new Point(0, 0, "ü")], request.Items);
        Assert.Equal(TimeSpan.FromMilliseconds(1234), request.Timeout);

        Assert.Null(RoundTrip(new ModelRequest<int>([7])).Timeout);
        Assert.Equal(["x", "", "y"], RoundTrip(new ModelReply<string>(["x", "", "y"])).Results);
        Assert.Empty(RoundTrip(new ModelReply<int>([])).Results);
    }

    [Fact]
    public void Tensors_travel_through_their_own_codec_as_raw_bytes()
    {
        var data = Enumerable.Range(0, 1000).Select(i => i * 0.5f).ToArray();
        var item = new OnnxTensors { ["x"] = OnnxTensor.Create(data, 10, 100) };
        var serializer = _system.Serialization.FindSerializerFor(new ModelRequest<OnnxTensors>([item]));

        var bytes = serializer.ToBinary(new ModelRequest<OnnxTensors>([item]));
        var back = (ModelRequest<OnnxTensors>)_system.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, new ModelRequest<OnnxTensors>([item])));

        Assert.InRange(bytes.Length, 4000, 4200); // 4 bytes per float and a small header, not JSON's text or base64
        Assert.Equal(data, back.Items[0]["x"].GetData<float>());
        Assert.Equal([10L, 100L], back.Items[0]["x"].Shape);
    }

    [Fact]
    public void A_type_can_name_its_own_codec()
    {
        Assert.Equal([new Reversed("cba")], RoundTrip(new ModelReply<Reversed>([new Reversed("cba")])).Results);
        Assert.Equal(1, ReversedCodec.Writes);
    }

    [Fact]
    public void A_codec_attribute_naming_a_wrong_type_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Serialize(new ModelRequest<Misnamed>([new Misnamed()])));
        Assert.Contains("Misnamed", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a ModelPayloadCodec<Misnamed>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_arrives_as_status_failure_with_its_type_message_and_model()
    {
        var error = Failure(new TimeoutException("Model 'm' took too long."), "m");
        Assert.IsType<TimeoutException>(error);
        Assert.Equal("Model 'm' took too long.", error.Message);
        Assert.Equal("m", ModelErrors.GetModelName(error));
    }

    [Fact]
    public void The_innermost_model_name_is_kept()
    {
        var inner = ModelErrors.Attach(new InvalidOperationException("broken"), "inner");
        Assert.Equal("inner", ModelErrors.GetModelName(Failure(inner, "outer")));
    }

    [Fact]
    public void A_refusal_keeps_its_retry_hint_and_capacity()
    {
        var error = Assert.IsType<ModelOverloadedException>(Failure(new ModelOverloadedException("m", 64, TimeSpan.FromMilliseconds(250)), "m"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), error.RetryAfter);
        Assert.Equal(64, error.Capacity);
        Assert.Equal(new ModelOverloadedException("m", 64, TimeSpan.FromMilliseconds(250)).Message, error.Message);

        var stopped = Assert.IsType<ModelStoppedException>(Failure(new ModelStoppedException("m", "it no longer accepts requests."), "m"));
        Assert.Equal(new ModelStoppedException("m", "it no longer accepts requests.").Message, stopped.Message);
    }

    [Fact]
    public void A_type_this_node_cannot_make_arrives_as_its_nearest_base_or_a_remote_model_exception_naming_it()
    {
        var input = Failure(new OnnxInputException("x", "Input 'x' has 3 dimensions; the model takes 2."), "mlp");
        Assert.Equal(typeof(ArgumentException), input.GetType());
        Assert.Contains("Input 'x' has 3 dimensions", input.Message, StringComparison.Ordinal);

        var bytes = Serialize(new RemoteFailure("Some.Missing.FancyException, Missing.Assembly", "it broke", "ocr"));
        var unknown = Assert.IsType<RemoteModelException>(Deserialize<Status.Failure>(bytes, "F").Cause);
        Assert.Equal("Some.Missing.FancyException", unknown.RemoteType);
        Assert.Equal("ocr", unknown.ModelName);
        Assert.Contains("it broke", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("Some.Missing.FancyException", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Argument_exceptions_keep_their_messages_and_an_oversized_message_its_sizes()
    {
        var range = Failure(new ArgumentOutOfRangeException("request", "The timeout must be positive."), "m");
        Assert.IsType<ArgumentOutOfRangeException>(range);
        Assert.StartsWith("The timeout must be positive.", range.Message, StringComparison.Ordinal);

        var tooLarge = Assert.IsType<ModelMessageTooLargeException>(Failure(new ModelMessageTooLargeException("m", "the reply", 40_000_000, 16_000_000), "m"));
        Assert.Equal((40_000_000L, 16_000_000L), (tooLarge.Size, tooLarge.Limit));
        Assert.Equal(new ModelMessageTooLargeException("m", "the reply", 40_000_000, 16_000_000).Message, tooLarge.Message);

        var load = Assert.IsType<RemoteModelException>(Failure(new ModelLoadException("m", 2, new IOException("no file")), "m"));
        Assert.Equal("ModelActors.ModelLoadException", load.RemoteType);
    }

    [Fact]
    public void A_count_beyond_the_bytes_that_follow_is_refused_before_anything_is_allocated()
    {
        // Version 1, no timeout, then a count of 2^31 - 1 values in no bytes at all.
        byte[] hostile = [1, .. BitConverter.GetBytes(-1L), 0xFF, 0xFF, 0xFF, 0xFF, 0x07];
        var error = Assert.Throws<FormatException>(() => Serializer.FromBinary(hostile, "Q:" + Remote.WireTypes.NameOf(typeof(string))));
        Assert.Contains("2147483647 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_message_or_an_unknown_item_type_is_a_clear_error()
    {
        var bytes = Serialize(new ModelRequest<string>(["hello"]));
        var manifest = Akka.Serialization.Serialization.ManifestFor(Serializer, new ModelRequest<string>(["hello"]));
        Assert.Throws<FormatException>(() => Serializer.FromBinary(bytes[..^2], manifest));

        var unknown = Assert.Throws<ArgumentException>(() => Serializer.FromBinary(bytes, "Q:No.Such.Type, Nowhere"));
        Assert.Contains("No.Such.Type", unknown.Message, StringComparison.Ordinal);
    }

    private ModelMessageSerializer Serializer => (ModelMessageSerializer)_system.Serialization.FindSerializerForType(typeof(ModelRequest<string>));

    private byte[] Serialize(object message) => Serializer.ToBinary(message);

    private T Deserialize<T>(byte[] bytes, string manifest) => (T)Serializer.FromBinary(bytes, manifest);

    private T RoundTrip<T>(T message)
        where T : notnull => Deserialize<T>(Serialize(message), Serializer.Manifest(message));

    private Exception Failure(Exception error, string model)
    {
        var failure = RemoteFailure.From(error, model);
        return Deserialize<Status.Failure>(Serialize(failure), Serializer.Manifest(failure)).Cause;
    }

    [ModelPayloadCodec(typeof(ReversedCodec))]
    public sealed record Reversed(string Text);

    public sealed class ReversedCodec : ModelPayloadCodec<Reversed>
    {
        public static int Writes;

        public override void Write(IBufferWriter<byte> output, Reversed value)
        {
            Interlocked.Increment(ref Writes);
            output.Write(System.Text.Encoding.UTF8.GetBytes(new string([.. value.Text.Reverse()])));
        }

        public override Reversed Read(ReadOnlySpan<byte> data) => new(new string([.. System.Text.Encoding.UTF8.GetString(data).Reverse()]));
    }

    [ModelPayloadCodec(typeof(ReversedCodec))]
    public sealed record Misnamed;
}
