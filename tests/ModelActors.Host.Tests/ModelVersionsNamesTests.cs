using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>The names a 404 or <c>GET /v2</c> lists are those clients call, also while a repository model's generation loads.</summary>
public sealed class ModelVersionsNamesTests
{
    [Fact]
    public void AGenerationStillLoading_IsNotListed_OtherNamesAre()
    {
        var versions = new ModelVersions();
        versions.Set("scale", [("1", "scale")]);

        var names = versions.PublicNames(["echo", "neg#1", "neg#1@1", "neg#12@3", "scale", "relu", "odd#name", "tag#"]);

        Assert.Equal(["echo", "odd#name", "relu", "scale", "tag#"], names);
    }
}
