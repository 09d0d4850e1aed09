namespace ModelActors.Tests.Onnx;

/// <summary>A temporary folder for the ONNX files an OnnxModel test writes, deleted afterwards.</summary>
public abstract class OnnxModelFiles : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelactors-onnx-").FullName;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The folder's path.</summary>
    protected string Folder => _folder;

    protected string Save(string name, byte[] model)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, model);
        return path;
    }

    /// <summary>An item of the linear test model: rows of three values.</summary>
    protected static ModelActors.Onnx.OnnxTensors Rows(params float[] values) =>
        new() { ["x"] = ModelActors.Onnx.OnnxTensor.Create(values, values.Length / 3, 3) };
}
