using Microsoft.Extensions.Logging;
using ModelActors.Diagnostics;
using ModelActors.TestKit;

namespace ModelActors.Tests.Diagnostics;

/// <summary>Refusals under overload are counted every time but logged at most once a second, with how many there were.</summary>
public sealed class RejectionLogTests
{
    [Fact]
    public void ManyRefusalsInASecond_AreOneLogLine_AndTheRestAreCountedWhenTheSecondEnds_WithoutAnotherRefusal()
    {
        var time = new ManualTimeProvider();
        var logger = new Lines();
        using var metrics = new ModelMetrics(() => []);
        var events = new ModelEvents("m", [ModelMetrics.Tag("m")], metrics, logger, time);

        for (var i = 0; i < 500; i++)
        {
            events.Rejected(8);
        }

        time.Advance(TimeSpan.FromMilliseconds(999));
        events.Rejected(8);
        var withinTheSecond = logger.Messages.Count;
        time.Advance(TimeSpan.FromMilliseconds(1)); // the burst is over: no refusal comes to log it
        var whenTheSecondEnds = logger.Messages.Count;
        time.Advance(TimeSpan.FromSeconds(10));
        var quiet = logger.Messages.Count;
        events.Rejected(8, "it would wait past the deadline");

        Assert.Equal((1, 2, 2), (withinTheSecond, whenTheSecondEnds, quiet));
        Assert.Equal(
            ["Model 'm' rejected 1 request(s) since its last such warning: its queue of 8 is full",
             "Model 'm' rejected 500 request(s) since its last such warning: its queue of 8 is full",
             "Model 'm' rejected 1 request(s) since its last such warning: it would wait past the deadline"],
            logger.Messages);
    }

    [Fact]
    public void RefusalsRightAfterATailLine_WaitForTheNextSecond_AndNoneIsLostOrCountedTwice()
    {
        var time = new ManualTimeProvider();
        var logger = new Lines();
        using var metrics = new ModelMetrics(() => []);
        var events = new ModelEvents("m", [ModelMetrics.Tag("m")], metrics, logger, time);

        events.Rejected(8); // logged at once
        events.Rejected(8);
        time.Advance(TimeSpan.FromSeconds(1)); // the tail line: 1
        events.Rejected(8);
        events.Rejected(8);
        var beforeTheNextSecond = logger.Messages.Count;
        time.Advance(TimeSpan.FromSeconds(1)); // the next tail line: 2

        Assert.Equal(2, beforeTheNextSecond);
        Assert.Equal([1L, 1L, 2L], logger.Messages.Select(m => long.Parse(m.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture)));
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
