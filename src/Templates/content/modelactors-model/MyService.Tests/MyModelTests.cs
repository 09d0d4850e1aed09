using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
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

    [Fact]
    public async Task IsServedOverHttp()
    {
        await using var service = new WebApplicationFactory<Program>();
        using var client = service.CreateClient();

        var response = await client.PostAsJsonAsync("/models/mymodel/predict", "hello");

        response.EnsureSuccessStatusCode();
        Assert.Equal("HELLO", await response.Content.ReadFromJsonAsync<string>());
    }
}
