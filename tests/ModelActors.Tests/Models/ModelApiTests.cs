namespace ModelActors.Tests.Models;

public sealed class ModelApiTests
{
    [Fact]
    public async Task SyncModel_PredictsOneItem_AndABatch_AndAStream()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<UpperModel>().Build();
        await library.LoadAsync();
        var client = library.Get<string, string>("upper");

        Assert.Equal("ABC", await client.PredictAsync("abc"));
        Assert.Equal(["A", "B", "C"], await client.PredictBatchAsync(["a", "b", "c"]));
        Assert.Equal(["X", "Y"], await client.PredictStream(new[] { "x", "y" }).ToListAsync());
    }

    [Fact]
    public async Task AsyncModel_PredictsThroughTheSyncGateway()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<LengthModel>().Build();
        var client = library.GetSync<string, int>("length");

        Assert.Equal(3, client.Predict("abc"));
        Assert.Equal([1, 2], client.PredictBatch(["a", "bb"]));
        Assert.Equal([0, 4], client.PredictGen(["", "four"]).ToList());
    }

    [Fact]
    public async Task BatchOnlyModel_AnswersSingleCallsThroughItsBatchMethod()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<BatchDoubler>("double").Build();

        Assert.Equal(14, await library.Get<int, int>("double").PredictAsync(7));
        Assert.Equal([2, 4, 6], await library.Get<int, int>("double").PredictBatchAsync([1, 2, 3]));
    }

    [Fact]
    public void Registration_OfAClassOverridingNeitherMethod_IsAnErrorNamingTheClass()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder().AddModel<NeitherOverridden>("m").Build());

        Assert.Contains("NeitherOverridden", error.Message);
        Assert.Contains("overrides neither Predict nor PredictBatch", error.Message);
    }

    [Fact]
    public void Registration_OfAClassOverridingBothMethods_IsAnErrorNamingTheClass()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder().AddModel<BothOverridden>("m").Build());

        Assert.Contains("BothOverridden", error.Message);
        Assert.Contains("overrides both PredictAsync and PredictBatchAsync", error.Message);
    }

    [Fact]
    public async Task BatchMethod_ReturningTheWrongNumberOfResults_IsAnErrorNamingTheModel()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<WrongCountModel>("miscount").Build();

        var error = await Assert.ThrowsAsync<ModelResultCountException>(() => library.Get<int, int>("miscount").PredictBatchAsync([1, 2]).AsTask());

        Assert.Equal("miscount", error.ModelName);
        Assert.Equal(2, error.Expected);
        Assert.Equal(3, error.Actual);
        Assert.Contains("'miscount'", error.Message);
    }

    [Fact]
    public async Task ModelException_ReachesTheCallerWithItsOwnType_AndTheModelName()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<PickyModel>("picky").Build();
        var client = library.Get<string, string>("picky");

        var error = await Assert.ThrowsAsync<ModelFailure>(() => client.PredictAsync("bad input").AsTask());

        Assert.Equal("cannot handle bad input", error.Message);
        Assert.Equal("picky", ModelErrors.GetModelName(error));
        Assert.Equal("fine", await client.PredictAsync("fine")); // the replica carries on
    }

    [Fact]
    public async Task Settings_FromTheAttribute_AreBoundToTheTypedSettingsClass()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<GreeterModel>().Build();

        Assert.Equal("hi bob;hi bob;", await library.Get<string, string>("greeter").PredictAsync("bob"));
        Assert.Equal("hello bob;", await library.Get<string, string>("greeter-default").PredictAsync("bob"));
    }

    [Fact]
    public async Task Settings_FromCode_AreBound()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<GreeterModel>("custom", o => o.Settings["Greeting"] = "yo")
            .Build();

        Assert.Equal("yo ann;", await library.Get<string, string>("custom").PredictAsync("ann"));
    }

    [Fact]
    public async Task Settings_WithAKeyTheSettingsClassLacks_FailTheLoadNamingTheModel()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<GreeterModel>("typo", o => o.Settings["Greting"] = "yo")
            .Configure(o => o.LoadRetries = 0)
            .Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => library.LoadAsync());

        Assert.Contains("'typo'", error.Message);
        Assert.Contains("Greting", error.InnerException!.Message);
    }
}
