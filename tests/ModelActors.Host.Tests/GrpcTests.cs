using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ModelActors.Host.Grpc.Protocol;
using ModelActors.Onnx;

namespace ModelActors.Host.Tests;

/// <summary>The Open Inference Protocol over gRPC, on the test repository's models (in-process HTTP/2 through TestServer).</summary>
public sealed class GrpcTests(TensorServer server) : IClassFixture<TensorServer>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });

    private GRPCInferenceService.GRPCInferenceServiceClient Client => new(_channel);

    public void Dispose() => _channel.Dispose();

    private static ModelInferRequest.Types.InferInputTensor Input(string name, string datatype, params long[] shape)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        input.Shape.AddRange(shape);
        return input;
    }

    private static ByteString Raw<T>(params T[] values)
        where T : struct => ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));

    private static T[] Values<T>(ByteString raw)
        where T : struct => MemoryMarshal.Cast<byte, T>(raw.Span).ToArray();

    [Fact]
    public async Task Health_AndServerMetadata_Answer()
    {
        var live = await Client.ServerLiveAsync(new ServerLiveRequest());
        var ready = await Client.ServerReadyAsync(new ServerReadyRequest());
        var metadata = await Client.ServerMetadataAsync(new ServerMetadataRequest());
        var model = await Client.ModelReadyAsync(new ModelReadyRequest { Name = "linear" });

        Assert.True(live.Live);
        Assert.True(ready.Ready);
        Assert.Equal("modelactors", metadata.Name);
        Assert.Equal(["binary_tensor_data", "parameters", "statistics", "model_repository", "model_repository(unload_dependents)", "model_configuration"], metadata.Extensions);
        Assert.True(model.Ready);
    }

    [Fact]
    public async Task ModelMetadata_OfAModelThatFailedToLoad_IsUnavailable_WithTheLoadError()
    {
        await server.ModelsLoadedAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "broken" }));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("Model 'broken' failed to load: ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("tries it again in the background", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelMetadata_DescribesTheTensorsAndTheServedVersion()
    {
        var linear = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "linear" });
        var identity = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "identity", Version = "2" });

        Assert.Equal("onnxruntime_onnx", linear.Platform);
        Assert.Equal(("x", "FP32"), (linear.Inputs[0].Name, linear.Inputs[0].Datatype));
        Assert.Equal([-1L, 3], linear.Inputs[0].Shape);
        Assert.Equal([-1L, 2], linear.Outputs[0].Shape);
        Assert.Equal(["2"], identity.Versions);
    }

    [Fact]
    public async Task ModelInfer_WithRawContents_RunsTheModel_EchoingTheId()
    {
        var request = new ModelInferRequest { ModelName = "linear", Id = "req-7" };
        request.Inputs.Add(Input("x", "FP32", 1, 3));
        request.RawInputContents.Add(Raw(1f, 1f, 1f));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "y" });

        var response = await Client.ModelInferAsync(request);

        Assert.Equal(("linear", "", "req-7"), (response.ModelName, response.ModelVersion, response.Id));
        var output = Assert.Single(response.Outputs);
        Assert.Equal(("y", "FP32"), (output.Name, output.Datatype));
        Assert.Equal([1L, 2], output.Shape);
        Assert.Equal([9.5f, 11f], Values<float>(Assert.Single(response.RawOutputContents)));
    }

    [Fact]
    public async Task ModelInfer_WithTypedContents_RunsALinearModel_AndEveryOutputComesBack()
    {
        var request = new ModelInferRequest { ModelName = "linear" };
        var x = Input("x", "FP32", 2, 3);
        x.Contents = new InferTensorContents();
        x.Contents.Fp32Contents.AddRange([1f, 0, 0, 0, 1, 1]);
        request.Inputs.Add(x);

        var response = await Client.ModelInferAsync(request);

        // y = x·W + b with W = [[1,2],[3,4],[5,6]], b = [0.5, -1]
        Assert.Equal("y", Assert.Single(response.Outputs).Name);
        Assert.Equal([2L, 2], response.Outputs[0].Shape);
        Assert.Equal([1.5f, 1f, 8.5f, 9f], Values<float>(response.RawOutputContents[0]));
    }

    [Fact]
    public async Task ModelInfer_CarriesEveryDatatype_RawAndTyped()
    {
        var request = new ModelInferRequest { ModelName = "identity" };
        request.Inputs.Add(Input("in_int8", "INT8", 2));
        request.Inputs[0].Contents = new InferTensorContents { IntContents = { -128, 127 } };
        request.Inputs.Add(Input("in_uint16", "UINT16", 1));
        request.Inputs[1].Contents = new InferTensorContents { UintContents = { 65535 } };
        request.Inputs.Add(Input("in_bytes", "BYTES", 2));
        request.Inputs[2].Contents = new InferTensorContents { BytesContents = { ByteString.CopyFromUtf8("héllo"), ByteString.Empty } };
        request.Inputs.Add(Input("in_bool", "BOOL", 2));
        request.Inputs[3].Contents = new InferTensorContents { BoolContents = { true, false } };
        foreach (var (datatype, type) in TensorServer.Datatypes.Where(d => d.Datatype is not ("INT8" or "UINT16" or "BYTES" or "BOOL")))
        {
            var name = "in_" + datatype.ToLowerInvariant();
            request.Inputs.Add(Input(name, datatype, 1));
            request.Inputs[^1].Contents = type switch
            {
                TensorElementType.Int16 or TensorElementType.Int32 => new InferTensorContents { IntContents = { -7 } },
                TensorElementType.Int64 => new InferTensorContents { Int64Contents = { long.MinValue } },
                TensorElementType.UInt8 or TensorElementType.UInt32 => new InferTensorContents { UintContents = { 7 } },
                TensorElementType.UInt64 => new InferTensorContents { Uint64Contents = { ulong.MaxValue } },
                TensorElementType.Float => new InferTensorContents { Fp32Contents = { 0.25f } },
                TensorElementType.Double => new InferTensorContents { Fp64Contents = { 1e300 } },
                _ => null, // FP16, BF16: raw only, so the typed request below leaves them out
            };
        }

        var halves = new ModelInferRequest { ModelName = "identity" };
        halves.Inputs.Add(Input("in_fp16", "FP16", 1));
        halves.Inputs.Add(Input("in_bf16", "BF16", 1));
        halves.RawInputContents.Add(Raw((Half)1.5));
        halves.RawInputContents.Add(Raw((ushort)0x3FC0)); // bfloat16 1.5
        foreach (var input in request.Inputs.Where(i => i.Contents is null).ToList())
        {
            request.Inputs.Remove(input);
        }

        var typed = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, typed.StatusCode); // the identity model needs every input: FP16 and BF16 are missing
        Assert.Contains("input 'in_fp16', 'in_bf16' is missing", typed.Status.Detail);

        var raw = new ModelInferRequest { ModelName = "identity" };
        foreach (var (datatype, type) in TensorServer.Datatypes)
        {
            raw.Inputs.Add(Input("in_" + datatype.ToLowerInvariant(), datatype, 1));
            raw.RawInputContents.Add(type switch
            {
                TensorElementType.String => ByteString.CopyFrom([1, 0, 0, 0, (byte)'z']),
                TensorElementType.Bool => ByteString.CopyFrom([1]),
                TensorElementType.Float16 => Raw((Half)1.5),
                TensorElementType.BFloat16 => Raw((ushort)0x3FC0),
                TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => Raw(42L),
                TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => Raw(42),
                TensorElementType.Int16 or TensorElementType.UInt16 => Raw((short)42),
                _ => ByteString.CopyFrom([42]),
            });
        }

        var response = await Client.ModelInferAsync(raw);

        Assert.Equal("2", response.ModelVersion); // the version served
        Assert.Equal(TensorServer.Datatypes.Length, response.Outputs.Count);
        for (var i = 0; i < raw.Inputs.Count; i++)
        {
            var output = response.Outputs.Single(o => o.Name == "out_" + raw.Inputs[i].Datatype.ToLowerInvariant());
            Assert.Equal(raw.Inputs[i].Datatype, output.Datatype);
            Assert.Equal(raw.RawInputContents[i], response.RawOutputContents[response.Outputs.IndexOf(output)]);
        }
    }

    [Fact]
    public async Task TypedContents_OfNarrowIntegers_AreRangeChecked_AndStringsComeBackAsUtf8()
    {
        var request = new ModelInferRequest { ModelName = "identity" };
        foreach (var (datatype, _) in TensorServer.Datatypes)
        {
            request.Inputs.Add(Input("in_" + datatype.ToLowerInvariant(), datatype, 1));
            request.RawInputContents.Add(datatype switch
            {
                "BYTES" => ByteString.CopyFrom([2, 0, 0, 0, 0xC3, 0xA9]), // "é"
                "BOOL" or "UINT8" or "INT8" => ByteString.CopyFrom([1]),
                "FP16" or "BF16" or "INT16" or "UINT16" => ByteString.CopyFrom([1, 0]),
                "FP64" or "INT64" or "UINT64" => ByteString.CopyFrom(new byte[8]),
                _ => ByteString.CopyFrom(new byte[4]),
            });
        }

        var response = await Client.ModelInferAsync(request);
        var bytes = response.RawOutputContents[response.Outputs.IndexOf(response.Outputs.Single(o => o.Name == "out_bytes"))];

        var outOfRange = new ModelInferRequest { ModelName = "identity" };
        outOfRange.Inputs.Add(Input("in_int8", "INT8", 1));
        outOfRange.Inputs[0].Contents = new InferTensorContents { IntContents = { 200 } };
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(outOfRange).ResponseAsync);

        Assert.Equal([2, 0, 0, 0, 0xC3, 0xA9], bytes.ToByteArray());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("Model 'identity': input 'in_int8' (INT8): int_contents[0] = 200 is out of range for its datatype.", error.Status.Detail);
    }

    public static TheoryData<string, StatusCode, string> BadRequests => new()
    {
        { "unknown-model", StatusCode.NotFound, "unknown-model" },
        { "wrong-version", StatusCode.NotFound, "Model 'identity' has no version '9'; served: 2." },
        { "wrong-datatype", StatusCode.InvalidArgument, "Model 'linear': input 'x' is FP32, but the request sends INT32." },
        { "unknown-datatype", StatusCode.InvalidArgument, "Model 'linear': input 'x' has datatype 'FLOAT', which is not one of" },
        { "raw-count", StatusCode.InvalidArgument, "Model 'linear': raw_input_contents has 2 entries for 1 inputs; give one per input, in order." },
        { "raw-size", StatusCode.InvalidArgument, "Model 'linear': input 'x' (FP32): shape [1, 3] needs 12 bytes of binary data, not 8." },
        { "contents-count", StatusCode.InvalidArgument, "Model 'linear': input 'x' (FP32): shape [1, 3] holds 3 elements, but fp32_contents has 2." },
        { "no-contents", StatusCode.InvalidArgument, "Model 'linear': input 'x' (FP32) has no contents (and the request has no raw_input_contents)." },
        { "typed-half", StatusCode.InvalidArgument, "FP16 and BF16 have no typed contents in the protocol; send them in raw_input_contents." },
        { "unknown-output", StatusCode.InvalidArgument, "Model 'linear' has no output 'z'." },
        { "wrong-shape", StatusCode.InvalidArgument, "Input 'x' dimension 1 must be 3" },
        { "typed-model", StatusCode.InvalidArgument, "Model 'word-count' takes String items, not tensors" },
        { "negative-shape", StatusCode.InvalidArgument, "Model 'linear': input 'x' (FP32) has shape [-1, 3]; dimensions are whole numbers ≥ 0." },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequests_AreRefused_WithAStatusAndAMessageNamingWhatWasWrong(string kind, StatusCode code, string message)
    {
        var request = new ModelInferRequest { ModelName = kind switch { "unknown-model" => "unknown-model", "wrong-version" or "typed-half" => "identity", "typed-model" => "word-count", _ => "linear" } };
        request.ModelVersion = kind == "wrong-version" ? "9" : string.Empty;
        var x = Input(kind switch { "wrong-version" => "in_fp32", "typed-half" => "in_fp16", _ => "x" }, kind switch { "wrong-datatype" => "INT32", "unknown-datatype" => "FLOAT", "typed-half" => "FP16", _ => "FP32" }, kind == "negative-shape" ? [-1, 3] : kind == "wrong-shape" ? [1, 2] : [1, 3]);
        request.Inputs.Add(x);
        switch (kind)
        {
            case "raw-count":
                request.RawInputContents.Add(Raw(1f, 2f, 3f));
                request.RawInputContents.Add(Raw(1f));
                break;
            case "raw-size":
                request.RawInputContents.Add(Raw(1f, 2f));
                break;
            case "contents-count":
                x.Contents = new InferTensorContents { Fp32Contents = { 1f, 2f } };
                break;
            case "no-contents":
                break;
            case "typed-half":
                x.Contents = new InferTensorContents { Fp32Contents = { 1f, 2f, 3f } };
                break;
            case "wrong-shape":
                request.RawInputContents.Add(Raw(1f, 2f));
                break;
            case "wrong-datatype":
                request.RawInputContents.Add(Raw(1, 2, 3));
                break;
            case "unknown-output":
                request.RawInputContents.Add(Raw(1f, 2f, 3f));
                request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "z" });
                break;
            default:
                request.RawInputContents.Add(Raw(1f, 2f, 3f));
                break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, long[], int> HostileShapes => new()
    {
        { "FP32", [1L << 40, 1L << 40], 12 },      // the element count overflows a long
        { "FP32", [long.MaxValue, 2], 12 },
        { "BYTES", [1_000_000_000], 4 },          // a billion strings in 4 bytes: refused before any allocation
        { "BYTES", [1L << 62, 4], 8 },
        { "INT64", [0, 1L << 62], 8 },            // no elements, but data given
    };

    [Theory]
    [MemberData(nameof(HostileShapes))]
    public async Task HostileShapes_AreInvalidArgument_NeverAServerError(string datatype, long[] shape, int bytes)
    {
        var raw = new ModelInferRequest { ModelName = "identity" };
        raw.Inputs.Add(Input("in_" + datatype.ToLowerInvariant(), datatype, shape));
        raw.RawInputContents.Add(ByteString.CopyFrom(new byte[bytes]));
        var typed = new ModelInferRequest { ModelName = "identity" };
        typed.Inputs.Add(Input("in_" + datatype.ToLowerInvariant(), datatype, shape));
        typed.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { 1f }, Int64Contents = { 1L }, BytesContents = { ByteString.Empty } };

        var rawError = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(raw).ResponseAsync);
        var typedError = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(typed).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (rawError.StatusCode, typedError.StatusCode));
        Assert.Contains($"input 'in_{datatype.ToLowerInvariant()}'", rawError.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageOverTheRequestSizeLimit_IsResourceExhausted()
    {
        var request = new ModelInferRequest { ModelName = "linear" };
        request.Inputs.Add(Input("x", "FP32", 10_000, 3));
        request.RawInputContents.Add(Raw(new float[30_000])); // 120 KB; the test server takes 64 KiB

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task ModelReady_AndMetadata_OfAnUnknownModel_AreNotFound()
    {
        var ready = await Assert.ThrowsAsync<RpcException>(() => Client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" }).ResponseAsync);
        var metadata = await Assert.ThrowsAsync<RpcException>(() => Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ready.StatusCode);
        Assert.Equal(StatusCode.NotFound, metadata.StatusCode);
        Assert.Contains("nope", metadata.Status.Detail, StringComparison.Ordinal);
    }
}
