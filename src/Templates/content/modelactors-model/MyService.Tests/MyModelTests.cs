using ModelActors;
using ModelActors.TestKit;

namespace MyService.Tests;

/// <summary>The tests of <see cref="MyModel"/>.</summary>
public sealed class MyModelTests : ModelActorsTestKit
{
    [Fact]
    public async Task Predicts()
    {
        var library = CreateLibrary(b => b.AddModel<MyModel>());

        Assert.Equal("HELLO", await library.Get<string, string>("mymodel").PredictAsync("hello"));
    }
}
