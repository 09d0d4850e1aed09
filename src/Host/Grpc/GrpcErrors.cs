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
        return Error(status, message, exception is ModelOverloadedException overloaded ? overloaded.RetryAfter : null);
    }

    /// <summary>
    /// The RPC error standing for HTTP status <paramref name="status"/>; with <paramref name="retryAfter"/>, a
    /// <c>retry-after</c> trailer in whole seconds (at least 1), as HTTP's <c>Retry-After</c> header.
    /// </summary>
    public static RpcException Error(int status, string message, TimeSpan? retryAfter = null) =>
        retryAfter is { } after
            ? new(Code(status, message), new Metadata { { "retry-after", Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) } })
            : new(Code(status, message));

    private static Status Code(int status, string message) => new(status switch
    {
        StatusCodes.Status400BadRequest => StatusCode.InvalidArgument,
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status422UnprocessableEntity => StatusCode.AlreadyExists,
        StatusCodes.Status413PayloadTooLarge or StatusCodes.Status429TooManyRequests => StatusCode.ResourceExhausted,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        StatusCodes.Status504GatewayTimeout => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    }, message);
}
