namespace ModelActors;

/// <summary>
/// Asks the library actor (<see cref="ModelLibrary.LibraryActor"/>, or the <c>ActorRegistry</c> key
/// <see cref="ModelLibrary"/> under Akka.Hosting) to describe its models: it answers with an
/// <c>IReadOnlyList&lt;ModelDescription&gt;</c>, sorted by name, as <see cref="ModelLibrary.Describe()"/> does.
/// </summary>
public sealed class DescribeModels
{
    /// <summary>The message (it carries nothing).</summary>
    public static DescribeModels Instance { get; } = new();

    private DescribeModels()
    {
    }
}
