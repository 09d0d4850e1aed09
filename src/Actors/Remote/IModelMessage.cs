namespace ModelActors.Remote;

/// <summary>
/// The messages of the request path that may cross nodes (<see cref="ModelRequest{TItem}"/>, <see cref="ModelReply{TResult}"/>,
/// <see cref="RemoteFailure"/>): Akka serializes every type that implements it with <see cref="ModelMessageSerializer"/>,
/// never with its default JSON serializer (which delivers a <c>ReadOnlyMemory&lt;byte&gt;</c> field empty, without an error).
/// </summary>
internal interface IModelMessage;

/// <summary>A <see cref="ModelRequest{TItem}"/> whatever its item type, for routers that forward requests without reading their items.</summary>
internal interface IModelRequest : IModelMessage
{
    /// <summary>The request's deadline from when it is accepted; the model's own when null.</summary>
    TimeSpan? Timeout { get; }

    /// <summary>The same request with deadline <paramref name="timeout"/> (a retry on another node gets the time that is left).</summary>
    IModelRequest WithTimeout(TimeSpan timeout);
}
