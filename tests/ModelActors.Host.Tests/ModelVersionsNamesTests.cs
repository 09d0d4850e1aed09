using ModelActors.Host.Server;

namespace ModelActors.Host.Tests;

/// <summary>The names a 404 or <c>GET /v2</c> lists are those clients call, also while a repository model's generation loads; a retired generation's answers name its version.</summary>
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

    [Fact]
    public void AReplacedGeneration_StillNamesItsVersion_WhileItDrains()
    {
        var versions = new ModelVersions();
        versions.Set("neg", [("1", "neg#1")]);
        versions.Set("neg", [("2", "neg#2")]);
        versions.Remove("neg");

        Assert.Equal("1", versions.Of("neg#1")); // an answer of the replaced generation still says version 1
        Assert.Equal("2", versions.Of("neg#2")); // and the unloaded one, 2
        Assert.Null(versions.Of("neg"));
    }

    [Fact]
    public void AGenerationRemoved_IsForgotten_WhatServesIsNot()
    {
        var versions = new ModelVersions();
        versions.Set("neg", [("1", "neg#1")]);
        versions.Set("neg", [("2", "neg#2")]);

        versions.Forget("neg#1"); // the library removed it: it drained
        versions.Forget("neg#2"); // serves now: kept

        Assert.Null(versions.Of("neg#1"));
        Assert.Equal("2", versions.Of("neg#2"));
        Assert.Equal(["neg"], versions.PublicNames(["neg#2"]));
    }
}
