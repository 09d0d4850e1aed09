using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ModelActors.Host.Grpc.Protocol;

namespace ModelActors.Host.Tests;

/// <summary>Thousands of malformed gRPC inference requests (names, datatypes, shapes, raw and typed contents): each gets an answer or a client-error status, never INTERNAL or UNKNOWN.</summary>
public sealed class GrpcFuzzTests(TensorServer server) : IClassFixture<TensorServer>
{
    private static readonly string[] Models = ["linear", "identity", "word-count", "nope", ""];

    private static readonly string[] Names = ["x", "in_fp32", "in_bytes", "in_int8", "in_bf16", "in_bool", "y", "", "x\0"];

    private static readonly string[] Datatypes = ["FP32", "FP64", "INT8", "INT16", "UINT8", "UINT64", "INT64", "BOOL", "BYTES", "FP16", "BF16", "fp32", "", "INT128"];

    private static readonly long[] Dimensions = [0, 1, 2, 3, 7, -1, 1L << 31, 1L << 62, long.MaxValue];

    [Fact]
    public async Task MalformedRequests_AreNeverAServerError()
    {
        await server.ModelsLoadedAsync();
        using var channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var random = new Random(20261202);
        var failures = new List<string>();
        for (var i = 0; i < 2000; i++)
        {
            var request = Case(random);
            try
            {
                await client.ModelInferAsync(request);
            }
            catch (RpcException exception) when (exception.StatusCode is not (StatusCode.Internal or StatusCode.Unknown))
            {
                // A client error, as it should be.
            }
            catch (RpcException exception)
            {
                failures.Add($"{exception.StatusCode} {exception.Status.Detail} ← {request}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    private static ModelInferRequest Case(Random random)
    {
        var request = new ModelInferRequest { ModelName = Pick(random, Models), Id = random.Next(3) == 0 ? "f" : string.Empty };
        var raw = random.Next(2) == 0;
        for (var n = random.Next(4); n >= 0; n--)
        {
            // Mostly near-valid (a real input of the model, with its datatype), so the cases get past the name checks
            // to the shapes and the data; the rest anything.
            var datatype = Pick(random, Datatypes);
            var name = random.Next(10) < 7
                ? request.ModelName == "linear" ? "x" : "in_" + datatype.ToLowerInvariant()
                : Pick(random, Names);
            if (name == "x" && random.Next(10) < 7)
            {
                datatype = "FP32";
            }

            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
            for (var d = random.Next(4); d > 0; d--)
            {
                input.Shape.Add(Pick(random, Dimensions));
            }

            if (raw)
            {
                request.RawInputContents.Add(ByteString.CopyFrom(Bytes(random)));
            }
            else if (random.Next(6) > 0)
            {
                input.Contents = Contents(random);
            }

            request.Inputs.Add(input);
        }

        if (random.Next(10) == 0)
        {
            request.RawInputContents.Add(ByteString.CopyFrom(Bytes(random))); // one too many, or raw mixed with contents
        }

        if (random.Next(4) == 0)
        {
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = Pick(random, Names) });
        }

        return request;
    }

    private static InferTensorContents Contents(Random random)
    {
        var contents = new InferTensorContents();
        var count = random.Next(8);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(7))
            {
                case 0: contents.Fp32Contents.Add((float)random.NextDouble()); break;
                case 1: contents.IntContents.Add(random.Next(int.MinValue, int.MaxValue)); break;
                case 2: contents.Int64Contents.Add(random.NextInt64()); break;
                case 3: contents.UintContents.Add((uint)random.NextInt64(0, uint.MaxValue)); break;
                case 4: contents.BoolContents.Add(random.Next(2) == 0); break;
                case 5: contents.BytesContents.Add(ByteString.CopyFrom(Bytes(random))); break;
                default: contents.Fp64Contents.Add(random.NextDouble()); break;
            }
        }

        return contents;
    }

    private static byte[] Bytes(Random random)
    {
        var bytes = new byte[random.Next(5) switch { 0 => 0, 1 => 4, 2 => 12, 3 => 24, _ => random.Next(64) }];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];
}
