using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelActors.Hosting;
using ModelActors.TestKit;

namespace ModelActors.Tests.Hosting;

/// <summary>ModelActors inside an application's own Akka.Hosting setup, on a real generic host.</summary>
public sealed class AkkaHostingTests
{
    [Fact]
    public async Task WithModelActors_RunsNextToTheApplicationsActor_WhichAsksAModel()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("app", (akka, _) => akka
            .WithModelActors(m => m.AddModel<UpperModel>())
            .WithActors((system, registry) => registry.Register<Greeter>(
                system.ActorOf(Props.Create(() => new Greeter(registry.Get<UpperModel>())), "greeter"))));
        using var host = builder.Build();

        await host.StartAsync();

        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var greeting = await registry.Get<Greeter>().Ask<string>("ada", TimeSpan.FromSeconds(10));
        Assert.Equal("HELLO, ADA", greeting);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var library = ModelLibrary.For(system);
        Assert.Same(system, library.ActorSystem);
        Assert.Equal(ModelState.Ready, library.Describe("upper").State);
        Assert.Equal("/user/model-actors/upper", registry.Get<UpperModel>().Path.ToStringWithoutAddress());
        Assert.Equal(library.LibraryActor, registry.Get<ModelLibrary>());
        await host.StopAsync();
        Assert.Equal(ModelState.Stopped, library.Describe("upper").State);
    }

    [Fact]
    public async Task AnActorStartedBeforeTheModels_FindsItsModelWithGetAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("app", (akka, _) => akka
            .WithActors(async (system, registry) =>
            {
                var early = registry.GetAsync<UpperModel>();
                Assert.False(early.IsCompleted);
                system.ActorOf(Props.Create(() => new Greeter(null)), "early").Tell(early);
                await Task.CompletedTask;
            })
            .WithModelActors(m => m.AddModel<UpperModel>()));
        using var host = builder.Build();

        await host.StartAsync();

        var system = host.Services.GetRequiredService<ActorSystem>();
        var early = await system.ActorSelection("/user/early").ResolveOne(TimeSpan.FromSeconds(10));
        Assert.Equal("HELLO, GRACE", await early.Ask<string>("grace", TimeSpan.FromSeconds(10)));
        await host.StopAsync();
    }

    [Fact]
    public async Task WithModelActors_FailsTheHostStart_NamingTheModelThatFailedToLoad()
    {
        var broken = new ProbeModel<string, string>(s => s) { OnLoad = _ => throw new FileNotFoundException("weights.onnx") };
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("app", (akka, _) => akka.WithModelActors(m => m
            .AddModel<UpperModel>()
            .AddModel("broken", factory: _ => broken)
            .Configure(o => o.LoadRetries = 0)));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => host.StartAsync());

        Assert.Equal("broken", error.ModelName);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public async Task HostStop_RunsCoordinatedShutdown_WhichDrainsAcceptedWorkBeforeTheActorsStop()
    {
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i * 10);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("app", (akka, _) => akka.WithModelActors(m => m.AddModel("slow", factory: _ => probe)));
        using var host = builder.Build();
        await host.StartAsync();
        var library = ModelLibrary.For(host.Services.GetRequiredService<ActorSystem>());
        var accepted = library.Get<int, int>("slow").PredictAsync(4).AsTask();
        await probe.ExpectBatchesAsync(1);

        var stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);
        Assert.False(accepted.IsCompleted);
        gate.SetResult();
        await stopping;

        Assert.Equal(40, await accepted);
        Assert.True(host.Services.GetRequiredService<ActorSystem>().WhenTerminated.IsCompleted);
        await Assert.ThrowsAsync<ModelStoppedException>(() => library.Get<int, int>("slow").PredictAsync(1).AsTask());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AddModelActors_JoinsTheApplicationsOwnActorSystem_WhicheverIsRegisteredFirst(bool modelsFirst)
    {
        var builder = Host.CreateApplicationBuilder();
        if (modelsFirst)
        {
            builder.Services.AddModelActors(m => m.AddModel<UpperModel>());
        }

        builder.Services.AddAkka("app", (akka, _) => akka.WithActors((system, registry) => registry.Register<Greeter>(
            system.ActorOf(Props.Create(() => new Greeter(null)), "greeter"))));
        if (!modelsFirst)
        {
            builder.Services.AddModelActors(m => m.AddModel<UpperModel>());
        }

        using var host = builder.Build();
        await host.StartAsync();

        var system = host.Services.GetRequiredService<ActorSystem>();
        var library = host.Services.GetRequiredService<ModelLibrary>();
        Assert.Equal("app", system.Name);
        Assert.Same(system, library.ActorSystem);
        Assert.Same(library, ModelLibrary.For(system));
        Assert.Equal("ADA", await host.Services.GetRequiredKeyedService<IModelClient<string, string>>("upper").PredictAsync("ada"));
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        Assert.Equal(library.RouterOf("upper"), registry.Get<UpperModel>());
        Assert.Equal(library.RouterOf("upper"), host.Services.GetRequiredService<IRequiredActor<UpperModel>>().ActorRef);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddModelActors_Alone_StartsItsActorSystemThroughAkkaHosting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddModelActors(m => m.AddModel<UpperModel>());
        using var host = builder.Build();
        await host.StartAsync();

        var system = host.Services.GetRequiredService<ActorSystem>();
        Assert.Equal(ModelActorsServiceCollectionExtensions.DefaultActorSystemName, system.Name);
        Assert.Equal(TimeSpan.FromSeconds(35), system.Settings.Config.GetTimeSpan("akka.coordinated-shutdown.phases.service-requests-done.timeout")); // DrainTimeout 30 s + margin
        Assert.False(system.Settings.Config.GetBoolean("akka.coordinated-shutdown.run-by-clr-shutdown-hook")); // SIGTERM stops the host in its order, not Akka at once
        Assert.Same(system, host.Services.GetRequiredService<ModelLibrary>().ActorSystem);
        await host.StopAsync();
        Assert.True(system.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task AClassRegisteredUnderTwoNames_IsNotInTheRegistry_ButEachNameHasItsRouter()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("app", (akka, _) => akka.WithModelActors(m => m
            .AddModel<UpperModel>("shout")
            .AddModel<UpperModel>("yell")
            .AddModel<LengthModel>()));
        using var host = builder.Build();
        await host.StartAsync();

        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var library = ModelLibrary.For(host.Services.GetRequiredService<ActorSystem>());
        Assert.False(registry.TryGet<UpperModel>(out _));
        Assert.Equal(library.RouterOf("length"), registry.Get<LengthModel>());
        var reply = await library.RouterOf("yell").Ask<ModelReply<string>>(new ModelRequest<string>(["a", "b"]), TimeSpan.FromSeconds(10));
        Assert.Equal(["A", "B"], reply.Results);
        await host.StopAsync();
    }

    /// <summary>An application's actor: greets a name, asking the upper-casing model for it.</summary>
    private sealed class Greeter : ReceiveActor
    {
        public Greeter(IActorRef? upper)
        {
            ReceiveAsync<Task<IActorRef>>(async pending => upper = await pending);
            ReceiveAsync<string>(async name =>
            {
                var reply = await upper!.Ask<ModelReply<string>>(new ModelRequest<string>([$"hello, {name}"]), TimeSpan.FromSeconds(10));
                Sender.Tell(reply.Results[0]);
            });
        }
    }
}
