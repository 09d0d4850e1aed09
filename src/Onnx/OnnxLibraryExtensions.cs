using ModelActors.Onnx;

namespace ModelActors;

/// <summary>What <c>ModelActors.Onnx</c> adds to a <see cref="ModelLibrary"/> (in the library's own namespace, so calls read as before the package split).</summary>
public static class OnnxLibraryExtensions
{
    /// <summary>The inputs and outputs of tensor model <paramref name="name"/> (an <see cref="OnnxModel"/>), once a replica has loaded it.</summary>
    /// <param name="library">The library.</param>
    /// <param name="name">The model's name.</param>
    /// <returns>The signature; <see langword="null"/> for a C# model or one not loaded yet.</returns>
    /// <exception cref="ModelNotFoundException">No model has that name.</exception>
    public static TensorSignature? GetTensorSignature(this ModelLibrary library, string name)
    {
        ArgumentNullException.ThrowIfNull(library);
        return library.Entry(name).Signature as TensorSignature;
    }
}
