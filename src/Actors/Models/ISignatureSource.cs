namespace ModelActors.Models;

/// <summary>
/// A loaded model that knows its signature (an ONNX model's inputs and outputs): the library records it when a replica
/// has loaded, for servers to describe and check requests. The runtime keeps it as an object, so that the core knows
/// nothing of ONNX; <c>ModelActors.Onnx</c> reads it back as its <c>TensorSignature</c>.
/// </summary>
internal interface ISignatureSource
{
    /// <summary>The signature, fixed at load.</summary>
    object Signature { get; }
}
