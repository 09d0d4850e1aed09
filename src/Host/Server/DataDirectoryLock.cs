namespace ModelActors.Host.Server;

/// <summary>
/// The data folder's lock, held while the server runs: a second server started on the same folder exits at once naming
/// it, instead of resuming the same jobs from the same SQLite journal (each would run them, and their writes would
/// collide). The lock is <c>.lock</c> in the folder, opened without sharing (.NET takes an exclusive <c>flock</c> on
/// Unix, a sharing lock on Windows); the operating system frees it when the process ends, however it ends.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the lock of <paramref name="folder"/> (created if missing).</summary>
    /// <exception cref="IOException">Another server holds it; the message names the folder and the setting to change.</exception>
    public static DataDirectoryLock Acquire(string folder)
    {
        var full = Create(folder);
        var path = Path.Combine(full, ".lock");
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            file.Write(System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
            file.Flush();
            return new DataDirectoryLock(file);
        }
        catch (IOException exception) when (exception is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            throw new IOException($"The data folder {full} is in use by another server (it holds {path}): give each server its own Server:DataDirectory, or stop the other one.", exception);
        }
    }

    /// <summary>The data folder <paramref name="folder"/> (<c>Server:DataDirectory</c>), made if missing; its full path.</summary>
    /// <exception cref="IOException">It cannot be made (a file in the way, no permission): the message names the setting.</exception>
    public static string Create(string folder)
    {
        var full = Path.GetFullPath(folder);
        try
        {
            Directory.CreateDirectory(full);
            return full;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Server:DataDirectory is '{folder}', and {full} cannot be made a folder for the server's data: {exception.Message}", exception);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
