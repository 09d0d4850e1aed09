using global::Grpc.Core;

namespace ModelActors.Host.Grpc;

/// <summary>The HTTP answers' statuses (one mapping, <see cref="HttpErrors.Describe"/>) as gRPC status codes, with the same messages.</summary>
internal static class GrpcErrors
{
    /// <summary>The RPC error for <paramref name="exception"/>, thrown while serving <paramref name="model"/>.</summary>
    public static RpcException For(Exception exception, string model, ServerCallContext context)
    {
        if (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return new RpcException(new Status(StatusCode.Cancelled, $"Model '{model}': the call was cancelled by its client."));
        }

        var (status, message) = HttpErrors.Describe(exception, model);
        return Error(status, message);
    }

    /// <summary>The RPC error standing for HTTP status <paramref name="status"/>.</summary>
    public static RpcException Error(int status, string message) => new(new Status(status switch
    {
        StatusCodes.Status400BadRequest => StatusCode.InvalidArgument,
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status422UnprocessableEntity => StatusCode.AlreadyExists,
        StatusCodes.Status413PayloadTooLarge or StatusCodes.Status429TooManyRequests => StatusCode.ResourceExhausted,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        StatusCodes.Status504GatewayTimeout => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    }, message));
}
