using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace ModelActors.Tests.Streams;

/// <summary>The library's materializer is its own: disposing the library, or losing the race to create it, never shuts down the actor system's default materializer.</summary>
public sealed class LibraryMaterializerTests
{
    [Fact]
    public async Task DisposingALibrary_LeavesTheUsersSystemMaterializerRunning()
    {
        using var system = ActorSystem.Create("users-system");
        var users = system.Materializer();
        await using (var library = ModelLibrary.CreateBuilder().UseActorSystem(system).AddModel<UpperModel>().Build())
        {
            Assert.Equal(["A"], await library.Get<string, string>("upper").PredictStream(["a"]).ToListAsync());
            Assert.NotSame(users, library.Materializer);
        }

        Assert.Equal(42, await Source.Single(42).RunWith(Sink.First<int>(), users));
        await system.Terminate();
    }

    [Fact]
    public async Task ConcurrentFirstUses_AllGetOneWorkingMaterializer()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<UpperModel>().Build();
        using var start = new Barrier(8);

        var materializers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return library.Materializer;
        })));

        Assert.Single(materializers.Distinct());
        Assert.Equal(7, await Source.Single(7).RunWith(Sink.First<int>(), materializers[0])); // the losers' shutdowns did not stop it
    }
}
