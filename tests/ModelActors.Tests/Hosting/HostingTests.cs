using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelActors.Hosting;
using ModelActors.TestKit;

namespace ModelActors.Tests.Hosting;

public sealed class HostingTests
{
    [Fact]
    public async Task TheHost_LoadsRequiredModelsAtStart_AndInjectsClientsAsKeyedServices()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelActors(b => b.AddModel<UpperModel>().AddModel<LengthModel>());
        using var host = builder.Build();

        await host.StartAsync();

        var library = host.Services.GetRequiredService<ModelLibrary>();
        Assert.All(library.Describe(), d => Assert.Equal(ModelState.Ready, d.State));
        var upper = host.Services.GetRequiredKeyedService<IModelClient<string, string>>("upper");
        var length = host.Services.GetRequiredKeyedService<ISyncModelClient<string, int>>("length");
        Assert.Equal("HI", await upper.PredictAsync("hi"));
        Assert.Equal(2, length.Predict("hi"));
        await host.StopAsync();
        Assert.All(library.Describe(), d => Assert.Equal(ModelState.Stopped, d.State));
    }

    [Fact]
    public async Task TheHost_FailsToStart_NamingTheRequiredModelThatFailed()
    {
        var broken = new ProbeModel<string, string>(s => s) { OnLoad = _ => throw new FileNotFoundException("weights.onnx") };
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelActors(b => b
            .AddModel<UpperModel>()
            .AddModel("broken", factory: _ => broken)
            .Configure(o => o.LoadRetries = 0));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.Equal("broken", error.ModelName);
        Assert.Contains("Model 'broken' failed to load", error.Message);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public async Task HostedStop_DrainsAcceptedRequests()
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelActors(b => b.AddModel("slow", factory: _ => probe));
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredKeyedService<IModelClient<int, int>>("slow");
        var accepted = client.PredictAsync(5).AsTask();
        await probe.ExpectBatchesAsync(1);

        var stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);
        gate.SetResult();
        await stopping;

        Assert.Equal(5, await accepted);
    }

    [Fact]
    public void AnInconsistentConfiguration_FailsAtRegistration()
    {
        var services = new ServiceCollection();

        Assert.Throws<ModelRegistrationException>(() => services.AddModelActors(b => b.AddModel<AsyncCaller>("outer", o => o.Dependencies.Add("inner=nobody"))));
    }

    [Fact]
    public async Task Models_AreConstructedThroughDependencyInjection()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new Suffix("!"));
        builder.Services.AddModelActors(b => b.AddModel<SuffixModel>("suffix"));
        using var host = builder.Build();
        await host.StartAsync();

        Assert.Equal("hey!", await host.Services.GetRequiredKeyedService<IModelClient<string, string>>("suffix").PredictAsync("hey"));
        await host.StopAsync();
    }

    public sealed record Suffix(string Value);

    public sealed class SuffixModel(Suffix suffix) : Model<string, string>
    {
        protected override string Predict(string item, CancellationToken cancellationToken) => item + suffix.Value;
    }
}
