using Microsoft.Extensions.Logging;
using ModelActors.Diagnostics;
using ModelActors.TestKit;

namespace ModelActors.Tests.Diagnostics;

/// <summary>Refusals under overload are counted every time but logged at most once a second, with how many there were.</summary>
public sealed class RejectionLogTests
{
    [Fact]
    public void ManyRefusalsInASecond_AreOneLogLine_ThenTheNextSecondsLineCountsTheRest()
    {
        var time = new ManualTimeProvider();
        var logger = new Lines();
        using var metrics = new ModelMetrics(() => []);
        var events = new ModelEvents("m", metrics, logger, time);

        for (var i = 0; i < 500; i++)
        {
            events.Rejected(8);
        }

        time.Advance(TimeSpan.FromMilliseconds(999));
        events.Rejected(8);
        var withinTheSecond = logger.Messages.Count;
        time.Advance(TimeSpan.FromMilliseconds(1));
        events.Rejected(8);

        Assert.Equal(1, withinTheSecond);
        Assert.Equal(
            ["Model 'm' rejected 1 request(s) since its last such warning: its queue of 8 is full",
             "Model 'm' rejected 501 request(s) since its last such warning: its queue of 8 is full"],
            logger.Messages);
    }

    private sealed class Lines : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
