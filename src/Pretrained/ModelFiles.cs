namespace ModelActors.Pretrained;

/// <summary>Where a pretrained model's files are: its <c>AssetPath</c>, else the build's <c>models/</c> folder next to the application.</summary>
internal static class ModelFiles
{
    /// <summary>The file: the model's AssetPath if it names one (relative paths next to the application), else models/<paramref name="defaultFile"/>.</summary>
    public static string Resolve(ModelContext context, string defaultFile) => Resolve(context.AssetPath ?? Path.Combine("models", defaultFile), context.Name);

    /// <summary>A file next to the model's file (its vocabulary, say).</summary>
    public static string Beside(string modelFile, string file, string model) => Resolve(Path.Combine(Path.GetDirectoryName(modelFile) ?? ".", file), model);

    private static string Resolve(string path, string model)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(full) ? full
            : File.Exists(path) ? Path.GetFullPath(path)
            : throw new FileNotFoundException($"Model '{model}': its file '{path}' is not there (looked at {full}); the build fetches it with build/fetch-models.sh.", full);
    }
}
