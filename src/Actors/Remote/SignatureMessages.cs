using System.Text.Json;

namespace ModelActors.Remote;

/// <summary>
/// A node that does not host a model asks a node that does for what the model's loaded instance reports of itself (an
/// ONNX model's tensor signature: its inputs and outputs), so that it can describe the model as the hosting node would.
/// Routed like a request.
/// </summary>
internal sealed record SignatureQuery : IModelRequest
{
    public static readonly SignatureQuery Instance = new();

    /// <inheritdoc />
    public TimeSpan? Timeout => TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public IModelRequest WithTimeout(TimeSpan timeout) => this;
}

/// <summary>
/// A door's router tells its parent (the door) how many nodes it sends to, whenever that changes, so that a spreading node
/// shares its clients' work with a node as soon as it is up, and stops when it leaves.
/// </summary>
/// <param name="Count">The nodes the router sends to now.</param>
internal sealed record RemoteNodesChanged(int Count);

/// <summary>The answer to a <see cref="SignatureQuery"/>.</summary>
/// <param name="Loaded">Whether the model has loaded on the answering node (else ask again later).</param>
/// <param name="TypeName">The signature's type (wire name), null when the model reports none.</param>
/// <param name="Json">The signature as System.Text.Json writes it.</param>
internal sealed record SignatureAnswer(bool Loaded, string? TypeName, string? Json) : IModelMessage
{
    /// <summary>What a model with <paramref name="signature"/> answers (its state says whether it has loaded).</summary>
    public static SignatureAnswer Of(ModelState state, object? signature)
    {
        if (state != ModelState.Ready || signature is null)
        {
            return new SignatureAnswer(state == ModelState.Ready, null, null);
        }

        try
        {
            return new SignatureAnswer(true, WireTypes.NameOf(signature.GetType()), JsonSerializer.Serialize(signature, signature.GetType()));
        }
        catch (Exception)
        {
            return new SignatureAnswer(true, null, null); // a signature JSON cannot write: the model is still served, undescribed
        }
    }

    /// <summary>The signature on this node, or null (none, or a type this node does not have).</summary>
    public object? Read()
    {
        try
        {
            return TypeName is null || Json is null || WireTypes.Resolve(TypeName) is not { } type ? null : JsonSerializer.Deserialize(Json, type);
        }
        catch (Exception)
        {
            return null; // a signature this node cannot read (another version's type): the model opens undescribed
        }
    }
}
