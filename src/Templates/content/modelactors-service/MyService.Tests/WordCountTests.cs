using ModelActors;
using ModelActors.TestKit;

namespace MyService.Tests;

/// <summary>The model's tests, on Akka's TestKit: the library runs in the test's actor system, on its virtual clock.</summary>
public sealed class WordCountTests : ModelActorsTestKit
{
    [Fact]
    public async Task CountsTheWordsOfAText()
    {
        var library = CreateLibrary(b => b.AddModel<WordCount>());

        Assert.Equal(4, await library.Get<string, int>("word-count").PredictAsync("The quick brown fox"));
    }

    [Fact]
    public async Task AnEmptyText_HasNoWords()
    {
        var library = CreateLibrary(b => b.AddModel<WordCount>());

        Assert.Equal(0, await library.Get<string, int>("word-count").PredictAsync(""));
    }
}
