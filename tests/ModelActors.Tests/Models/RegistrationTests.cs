using Microsoft.Extensions.Configuration;

namespace ModelActors.Tests.Models;

public sealed class RegistrationTests
{
    [Fact]
    public void AStreamMaxDelayOfZero_IsAnErrorNamingTheModel()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>("live", o => o.StreamMaxDelay = TimeSpan.Zero)
            .Build());

        Assert.Contains(error.Errors, e => e.Contains("Model 'live': StreamMaxDelay must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public void DuplicateNames_AreAnErrorNamingBothSources()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>()
            .AddModel<SyncLeaf>("upper")
            .Build());

        Assert.Contains("'upper' is registered 2 times", error.Message);
        Assert.Contains("UpperModel", error.Message);
        Assert.Contains("code", error.Message);
    }

    [Fact]
    public void MissingDependency_IsAnErrorNamingBothModels_AndTheNearestName()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inner=uper"))
            .AddModel<UpperModel>()
            .Build());

        Assert.Contains("Model 'outer' depends on 'uper' (as 'inner'), which is not registered. Did you mean 'upper'?", error.Message);
    }

    [Fact]
    public void DependencyCycle_IsAnErrorNamingTheCycle()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<AsyncCaller>("a", o => o.Dependencies.Add("inner=b"))
            .AddModel<AsyncCaller>("b", o => o.Dependencies.Add("inner=c"))
            .AddModel<AsyncCaller>("c", o => o.Dependencies.Add("inner=a"))
            .Build());

        Assert.Contains("Dependency cycle: 'a' -> 'b' -> 'c' -> 'a'.", error.Message);
        Assert.Single(error.Errors);
    }

    [Fact]
    public void SeveralProblems_AreReportedTogether()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<NeitherOverridden>("n")
            .AddModel<AsyncCaller>("outer", o => { o.Dependencies.Add("inner=ghost"); o.Replicas = 0; })
            .Build());

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("NeitherOverridden", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("Replicas must be at least 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownModelName_IsAnsweredWithTheKnownNames_AndTheNearestMatch()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<UpperModel>().AddModel<LengthModel>().Build();

        var error = Assert.Throws<ModelNotFoundException>(() => library.Get<string, string>("uper"));

        Assert.Equal("No model named 'uper'. Did you mean 'upper'? Known models: 'length', 'upper'.", error.Message);
        Assert.Equal("upper", error.Suggestion);
    }

    [Fact]
    public async Task AskingForAModelWithOtherTypes_IsAnErrorNamingTheModelAndBothTypes()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModel<LengthModel>().Build();

        var error = Assert.Throws<ModelTypeMismatchException>(() => library.Get<string, string>("length"));

        Assert.Contains("'length'", error.Message);
        Assert.Contains("String -> String", error.Message);
        Assert.Contains("returns Int32", error.Message);
        Assert.Equal("length", ModelErrors.GetModelName(error));
    }

    [Fact]
    public async Task ADependencyRequestedWithOtherTypes_FailsTheLoad_NamingBothModels()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inner=length"))
            .AddModel<LengthModel>()
            .Configure(o => o.LoadRetries = 0)
            .Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => library.LoadAsync());

        var mismatch = Assert.IsType<ModelTypeMismatchException>(error.InnerException);
        Assert.Contains("Model 'outer' asked for dependency 'inner' (model 'length') as String -> String", mismatch.Message);
    }

    [Fact]
    public async Task AnUndeclaredDependencyKey_FailsTheLoad_ListingTheDeclaredKeys()
    {
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inne=upper"))
            .AddModel<UpperModel>()
            .Configure(o => o.LoadRetries = 0)
            .Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => library.LoadAsync());

        var missing = Assert.IsType<ModelDependencyException>(error.InnerException);
        Assert.Contains("'inner', which its configuration does not declare. Did you mean 'inne'? Declared: 'inne'.", missing.Message);
    }

    [Fact]
    public async Task AssemblyScan_RegistersEveryAttributedClass()
    {
        await using var library = ModelLibrary.CreateBuilder().AddModelsFromAssembly(typeof(UpperModel).Assembly).Build();

        Assert.Equal(["attributed-batcher", "greeter", "greeter-default", "length", "upper"], library.ModelNames);
    }

    [Fact]
    public async Task JsonConfiguration_DefinesModelsByTypeName_WithSettingsDependenciesAndOptions()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream("""
            {
              "ModelActors": {
                "DefaultTimeout": "00:00:05",
                "Models": {
                  "shout": { "Type": "UpperModel", "Replicas": 2, "Router": "RoundRobin" },
                  "welcome": { "Type": "ModelActors.Tests.GreeterModel", "Settings": { "Greeting": "welcome", "Repeat": 1 } },
                  "wrapped": { "Type": "AsyncCaller", "Dependencies": [ "inner=shout" ], "BatchSize": 8, "Timeout": "00:00:02" }
                }
              }
            }
            """u8.ToArray())).Build();

        await using var library = ModelLibrary.CreateBuilder()
            .AddModelTypesFrom(typeof(UpperModel).Assembly)
            .Bind(configuration.GetSection("ModelActors"))
            .Build();

        Assert.Equal("WELCOME", await library.Get<string, string>("shout").PredictAsync("welcome"));
        Assert.Equal("welcome ada;", await library.Get<string, string>("welcome").PredictAsync("ada"));
        Assert.Equal("async(X)", await library.Get<string, string>("wrapped").PredictAsync("x"));
        var shout = library.Describe("shout");
        Assert.Equal((2, RouterKind.RoundRobin, typeof(UpperModel)), (shout.Replicas, shout.Router, shout.ModelType));
        Assert.Equal(TimeSpan.FromSeconds(5), library.Options.DefaultTimeout);
    }

    [Fact]
    public void JsonConfiguration_WithAnUnknownTypeName_IsAnErrorNamingTheModel()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelActors:Models:ghost:Type"] = "NoSuchModel",
            ["ModelActors:Models:typeless:Replicas"] = "1",
        }).Build();

        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder().Bind(configuration.GetSection("ModelActors")).Build());

        Assert.Contains(error.Errors, e => e.Contains("Model 'ghost'", StringComparison.Ordinal) && e.Contains("no model class named 'NoSuchModel'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("Model 'typeless'", StringComparison.Ordinal) && e.Contains("gives no Type", StringComparison.Ordinal));
    }

    [Fact]
    public void JsonConfiguration_WithAMisspeltSetting_IsAnErrorNamingItAndTheNearestSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelActors:DefaultTimout"] = "00:00:05",
            ["ModelActors:Models:shout:Type"] = "UpperModel",
            ["ModelActors:Models:shout:Replcias"] = "5",
            ["ModelActors:Models:shout:Settings:Anything"] = "read by the model, not checked here",
        }).Build();

        var error = Assert.Throws<ModelRegistrationException>(() =>
            ModelLibrary.CreateBuilder().AddModelTypesFrom(typeof(UpperModel).Assembly).Bind(configuration.GetSection("ModelActors")).Build());

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains("The library's configuration 'ModelActors': 'ModelActors:DefaultTimout' is not a setting, and would be ignored. Did you mean 'DefaultTimeout'?", error.Errors);
        Assert.Contains("Model 'shout' (configuration 'ModelActors:Models:shout'): 'ModelActors:Models:shout:Replcias' is not a setting, and would be ignored. Did you mean 'Replicas'?", error.Errors);
    }

    [Fact]
    public void AnInfiniteTimeout_IsRefused_SayingInfinite_NotMinusOneMillisecond()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>("upper", o => o.Timeout = Timeout.InfiniteTimeSpan)
            .Configure(o => o.DefaultTimeout = Timeout.InfiniteTimeSpan)
            .Build());

        Assert.Contains("DefaultTimeout must be positive and finite (was infinite).", error.Errors);
        Assert.Contains("Model 'upper': Timeout must be positive and finite (was infinite).", error.Errors);
    }

    [Fact]
    public void RequiredModel_ThatIsNotRegistered_IsAnError()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>()
            .Configure(o => o.RequiredModels.Add("upperr"))
            .Build());

        Assert.Contains("Required model 'upperr' is not registered. Did you mean 'upper'?", error.Message);
    }

    [Fact]
    public void NonPositiveTimeouts_AreRejectedAtRegistration()
    {
        var error = Assert.Throws<ModelRegistrationException>(() => ModelLibrary.CreateBuilder()
            .AddModel<UpperModel>("m", o => o.Timeout = TimeSpan.Zero)
            .Configure(o => o.DefaultTimeout = TimeSpan.FromSeconds(-1))
            .Build());

        Assert.Equal(2, error.Errors.Count);
    }
}
