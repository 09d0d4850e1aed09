namespace ModelActors.Host.Tests;

/// <summary>A model repository in a temporary folder that a test writes, deleted when disposed.</summary>
public sealed class RepositoryFolder : IDisposable
{
    /// <summary>The folder.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "modelactors-repo-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes a file of the repository (folders made as needed).</summary>
    public void Write(string relative, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes a text file of the repository.</summary>
    public void Write(string relative, string text) => Write(relative, System.Text.Encoding.UTF8.GetBytes(text));

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A session may still map a file; the temp folder is cleaned by the OS.
        }
    }
}
