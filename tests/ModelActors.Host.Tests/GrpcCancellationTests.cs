using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelActors.Host.Grpc.Protocol;

namespace ModelActors.Host.Tests;

/// <summary>A gRPC client that cancels its call cancels the model call it started.</summary>
public sealed class GrpcCancellationTests(GrpcCancellationTests.Server server) : IClassFixture<GrpcCancellationTests.Server>
{
    [Fact]
    public async Task CancellingTheCall_CancelsTheModelCall_AndTheClientSeesCancelled()
    {
        TensorGateModel.Reset();
        using var channel = GrpcChannel.ForAddress(server.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.Server.CreateHandler() });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelInferRequest { ModelName = "tensor-gate" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { 1 } });
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<float>([1f])));
        using var cancel = new CancellationTokenSource();

        var call = client.ModelInferAsync(request, cancellationToken: cancel.Token);
        await TensorGateModel.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await TensorGateModel.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(60)); // the model saw it
    }

    /// <summary>The default configuration plus <c>tensor-gate</c> (<see cref="TensorGateModel"/>), on TestServer.</summary>
    public sealed class Server : WebApplicationFactory<Program>
    {
        /// <inheritdoc />
        protected override void ConfigureWebHost(IWebHostBuilder builder) =>
            builder.UseSetting("ModelActors:Models:tensor-gate:Type", typeof(TensorGateModel).FullName);
    }
}
