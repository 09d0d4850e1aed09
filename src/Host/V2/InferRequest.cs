using System.Text.Json;
using ModelActors.Onnx;

namespace ModelActors.Host.V2;

/// <summary>A parsed v2 inference request: its inputs as tensors, the outputs asked for, and what is echoed back.</summary>
/// <param name="Id">The request's <c>id</c>, echoed in the answer.</param>
/// <param name="Parameters">The request's <c>parameters</c> object, echoed in the answer.</param>
/// <param name="Inputs">The input tensors by name.</param>
/// <param name="Outputs">The outputs asked for, in order; null for all of them.</param>
/// <param name="BinaryOutputs">Outputs to answer in the binary tensor extension (<c>"binary_data": true</c>).</param>
/// <param name="AllOutputsBinary">The request asked for every output in binary (<c>"binary_data_output": true</c>).</param>
internal sealed record InferRequest(string? Id, JsonElement? Parameters, OnnxTensors Inputs, IReadOnlyList<string>? Outputs, IReadOnlySet<string> BinaryOutputs, bool AllOutputsBinary)
{
    /// <summary>Whether output <paramref name="name"/> goes in binary.</summary>
    public bool IsBinary(string name) => AllOutputsBinary || BinaryOutputs.Contains(name);

    /// <summary>Whether the answer has a binary section at all.</summary>
    public bool AnyBinary => AllOutputsBinary || BinaryOutputs.Count > 0;
}

/// <summary>A v2 request that cannot be served as sent (answered 400 with its message).</summary>
/// <param name="message">What was wrong, naming the model and the input or field.</param>
internal sealed class InferRequestException(string message) : Exception(message);
