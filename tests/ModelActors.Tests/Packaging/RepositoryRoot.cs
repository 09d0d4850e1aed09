namespace ModelActors.Tests.Packaging;

/// <summary>The repository's root folder (the one holding ModelActors.sln), found up from the test's output folder.</summary>
internal static class RepositoryRoot
{
    /// <summary>The root's path; fails the test when the tests do not run inside the repository.</summary>
    public static string Find()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ModelActors.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return root.FullName;
    }
}
