using ModelActors.Host.Triton;
using ModelActors.Host.Triton.Config;

namespace ModelActors.Host.Tests;

/// <summary>Protobuf text format read onto Triton's ModelConfig through its descriptors, and its errors.</summary>
public sealed class TextFormatTests
{
    [Fact]
    public void Parse_ReadsEveryKindOfField_AsTritonWritesThem()
    {
        var config = ProtobufTextFormat.Parse<ModelConfig>("""
            # a Triton config
            name: "mlp"
            platform: 'onnx' "runtime_onnx"   # adjacent strings join
            max_batch_size: 0x10
            input [
              { name: "x", data_type: TYPE_FP32, dims: [ -1, 784 ] },
              { name: "mask" data_type: 9 dims: 4 dims: 5 }
            ]
            output < name: "y"; data_type: TYPE_FP32; dims: [10] >
            instance_group [ { count: 2 kind: KIND_CPU } ]
            dynamic_batching { max_queue_delay_microseconds: 500 preferred_batch_size: [4, 8]
              default_queue_policy { max_queue_size: 64, timeout_action: REJECT } }
            version_policy: { specific: { versions: [1, 3] } }
            parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
            parameters [ { key: "a" value { string_value: "tab\there \u00e9" } } ]
            optimization { graph { level: -1 } input_pinned_memory { enable: True } }
            """, "config.pbtxt");

        Assert.Equal("mlp", config.Name);
        Assert.Equal("onnxruntime_onnx", config.Platform);
        Assert.Equal(16, config.MaxBatchSize);
        Assert.Equal(["x", "mask"], config.Input.Select(i => i.Name));
        Assert.Equal([-1L, 784], config.Input[0].Dims);
        Assert.Equal(DataType.TypeInt64, config.Input[1].DataType);
        Assert.Equal([4L, 5], config.Input[1].Dims);
        Assert.Equal([10L], config.Output.Single().Dims);
        Assert.Equal(ModelInstanceGroup.Types.Kind.Cpu, config.InstanceGroup.Single().Kind);
        Assert.Equal(500ul, config.DynamicBatching.MaxQueueDelayMicroseconds);
        Assert.Equal([4, 8], config.DynamicBatching.PreferredBatchSize);
        Assert.Equal(64u, config.DynamicBatching.DefaultQueuePolicy.MaxQueueSize);
        Assert.Equal([1L, 3], config.VersionPolicy.Specific.Versions);
        Assert.Equal("1", config.Parameters["intra_op_thread_count"].StringValue);
        Assert.Equal("tab\there é", config.Parameters["a"].StringValue);
        Assert.Equal("a 🙂 b", ProtobufTextFormat.Parse<ModelConfig>("name: 'a 🙂 b'", "x").Name); // outside the BMP
        Assert.Equal(-1, config.Optimization.Graph.Level);
        Assert.True(config.Optimization.InputPinnedMemory.Enable);
    }

    [Theory]
    [InlineData("max_batch_sise: 4", "line 1, column 1: inference.ModelConfig has no field named 'max_batch_sise'")]
    [InlineData("name: \"a\"\nmax_batch_size: \"8\"", "line 2, column 17: field 'max_batch_size' takes a number, not '8'")]
    [InlineData("max_batch_size: 8\nmax_batch_size: 9", "line 2, column 1: field 'max_batch_size' of inference.ModelConfig is not repeated and is given more than once")]
    [InlineData("input { data_type: TYPE_FLOAT }", "'TYPE_FLOAT' is not a value of inference.DataType (field 'data_type')")]
    [InlineData("max_batch_size: 99999999999", "99999999999 is out of range for field 'max_batch_size'")]
    [InlineData("dynamic_batching { }\nensemble_scheduling { }", "line 2, column 1: fields 'dynamic_batching' and 'ensemble_scheduling' of inference.ModelConfig are members of one oneof")]
    [InlineData("input { name: \"x\"", "the message is not closed: expected '}'")]
    [InlineData("name: \"x", "line 1, column 7: the string is not closed on its line")]
    [InlineData("name \"x\"", "expected ':' after field 'name'")]
    [InlineData("input [ { name: \"x\" } { name: \"y\" } ]", "expected ',' or ']' in the list of field 'input'")]
    [InlineData("name: @", "'@' cannot start a token")]
    [InlineData("name: \"\\uD800\"", "the string has the escape \\uD800, a lone UTF-16 surrogate")]
    [InlineData("max_batch_size: 0x", "field 'max_batch_size' takes an integer, not '0x'")]
    public void Parse_NamesTheFileThePlaceAndTheField_OfAnError(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ProtobufTextFormat.Parse<ModelConfig>(text, "repo/m/config.pbtxt"));

        Assert.StartsWith("repo/m/config.pbtxt: line ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
