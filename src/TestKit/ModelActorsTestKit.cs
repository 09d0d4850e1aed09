using Akka.Configuration;
using Akka.TestKit;
using ModelActors.Actors;
using Xunit.Abstractions;

namespace ModelActors.TestKit;

/// <summary>
/// A base class for tests of models and of code that calls them: an Akka.TestKit.Xunit2 <c>TestKit</c>
/// whose actor system runs on virtual time (Akka.TestKit's <see cref="TestScheduler"/>) and hosts the
/// libraries made with <see cref="CreateLibrary"/>. <see cref="Advance"/> moves every clock the library
/// uses (request deadlines, load backoff, Akka's timers) at once; <c>EventFilter</c>, <c>TestProbe</c>s
/// and <c>ExpectMsg</c> work as in any Akka test. Libraries are disposed (drained) after each test.
/// </summary>
public abstract class ModelActorsTestKit : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>The configuration the test actor system starts with: the test scheduler and the ModelActors defaults.</summary>
    public static Config TestConfig { get; } = ConfigurationFactory.ParseString(
        """
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.log-dead-letters = off
        """).WithFallback(ModelActorsConfig.Default);

    private readonly List<ModelLibrary> _libraries = [];

    /// <summary>Creates the test kit with <see cref="TestConfig"/> (and <paramref name="config"/> over it).</summary>
    /// <param name="config">More configuration; its settings win.</param>
    /// <param name="output">xunit's output, where Akka's log is written.</param>
    protected ModelActorsTestKit(Config? config = null, ITestOutputHelper? output = null)
        : base(config is null ? TestConfig : config.WithFallback(TestConfig), nameof(ModelActorsTestKit), output)
    {
        Clock = new SchedulerTimeProvider(Sys.Scheduler);
    }

    /// <summary>The virtual scheduler of <c>Sys</c>.</summary>
    public TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    /// <summary>The libraries' clock: the virtual scheduler's time.</summary>
    public TimeProvider Clock { get; }

    /// <summary>Moves virtual time by <paramref name="by"/>: due deadlines fail, due timers fire.</summary>
    /// <param name="by">How far.</param>
    public void Advance(TimeSpan by) => Scheduler.Advance(by);

    /// <summary>
    /// Builds a library into <c>Sys</c> on the virtual clock; <paramref name="configure"/> registers its
    /// models. Each library gets an actor name of its own, so a test may make several.
    /// </summary>
    /// <param name="configure">Registers models and options.</param>
    /// <returns>The library (disposed after the test).</returns>
    protected ModelLibrary CreateLibrary(Action<ModelLibraryBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = ModelLibrary.CreateBuilder().UseActorSystem(Sys).UseTimeProvider(Clock);
        configure(builder);
        var index = _libraries.Count;
        builder.Configure(o => o.ActorName = index == 0 ? o.ActorName : $"{o.ActorName}-{index}");
        var library = builder.Build();
        _libraries.Add(library);
        return library;
    }

    /// <summary>Drains the test's libraries, then shuts the actor system down.</summary>
    protected override void AfterAll()
    {
        foreach (var library in _libraries)
        {
            // Nothing may hold a drain open forever after the test: cut it short.
            library.StopAsync(new CancellationToken(canceled: true)).Wait(TimeSpan.FromSeconds(10));
        }

        base.AfterAll();
    }
}
