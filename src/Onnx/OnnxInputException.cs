namespace ModelActors.Onnx;

/// <summary>An input that does not match the model's metadata (name, element type, rank or a fixed dimension), found before ONNX Runtime is called.</summary>
public sealed class OnnxInputException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="inputName">The input at fault.</param>
    /// <param name="message">What was wrong, naming the input.</param>
    public OnnxInputException(string inputName, string message)
        : base(message)
    {
        InputName = inputName;
    }

    /// <summary>The input at fault.</summary>
    public string InputName { get; }
}
