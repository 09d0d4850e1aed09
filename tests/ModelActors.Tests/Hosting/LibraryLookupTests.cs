using Akka.Actor;
using ModelActors.TestKit;

namespace ModelActors.Tests.Hosting;

/// <summary><see cref="ModelLibrary.For(ActorSystem)"/>: a library is reachable from its actor system.</summary>
public sealed class LibraryLookupTests : ModelActorsTestKit
{
    [Fact]
    public async Task For_FindsTheOnlyLibrary_AndForgetsItOnDispose()
    {
        var library = CreateLibrary(b => b.AddModel<UpperModel>());

        Assert.Same(library, ModelLibrary.For(Sys));
        Assert.Same(library, ModelLibrary.For(Sys, library.Options.ActorName));
        await library.DisposeAsync();

        var error = Assert.Throws<InvalidOperationException>(() => ModelLibrary.For(Sys));
        Assert.Contains($"No ModelLibrary runs in actor system '{Sys.Name}'", error.Message);
    }

    [Fact]
    public void For_WithTwoLibraries_AsksForTheName_AndNamesTheRunningOnes()
    {
        var first = CreateLibrary(b => b.AddModel<UpperModel>());
        var second = CreateLibrary(b => b.AddModel<LengthModel>());

        var error = Assert.Throws<InvalidOperationException>(() => ModelLibrary.For(Sys));
        Assert.Contains(first.Options.ActorName, error.Message);
        Assert.Contains(second.Options.ActorName, error.Message);
        Assert.Same(second, ModelLibrary.For(Sys, second.Options.ActorName));
        var missing = Assert.Throws<InvalidOperationException>(() => ModelLibrary.For(Sys, "nobody"));
        Assert.Contains("No ModelLibrary named 'nobody'", missing.Message);
    }
}
