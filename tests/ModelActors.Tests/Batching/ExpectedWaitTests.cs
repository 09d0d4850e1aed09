using ModelActors.TestKit;

namespace ModelActors.Tests.Batching;

/// <summary>
/// <see cref="ModelLibrary.CheckCapacity"/> refuses a request that would wait over half its deadline (queue depth over
/// the rate at which work left the queue while the model was busy), before the queue is full; the clients' own calls
/// are not affected, and a model that is merely lightly used is not judged by its callers' slow pace.
/// </summary>
public sealed class ExpectedWaitTests
{
    [Fact]
    public async Task ARequestThatWouldWaitOverHalfItsDeadline_IsRefused_BeforeTheQueueIsFull()
    {
        var clock = new ManualTimeProvider();
        var (first, second) = (new TaskCompletionSource(), new TaskCompletionSource());
        var model = new ProbeModel<int, int>(async (items, ct) =>
        {
            // Items from 100 wait for the first gate, from 200 for the second; the others answer at once.
            await (items[0] >= 200 ? second.Task : items[0] >= 100 ? first.Task : Task.CompletedTask).WaitAsync(ct);
            return [.. items];
        });
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("m", o => { o.QueueCapacity = 100; o.Timeout = TimeSpan.FromSeconds(2); }, _ => model)
            .UseTimeProvider(clock)
            .Build();
        await library.LoadAsync();
        var client = library.Get<int, int>("m");

        // A quiet model: items leave as slowly as callers send them, which says nothing about what it can serve.
        Assert.Null(library.CheckCapacity("m"));
        await client.PredictAsync(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(library.CheckCapacity("m"));

        // A busy period: 6 items leave in 500 ms while a queue stands (12 a second).
        var calls = new List<Task<int>> { client.PredictAsync(100).AsTask() };
        await model.ExpectBatchesAsync(2);
        calls.AddRange(new[] { 1, 2, 3, 4, 5 }.Concat(Enumerable.Range(200, 6)).Select(i => client.PredictAsync(i).AsTask()));
        clock.Advance(TimeSpan.FromMilliseconds(250));
        var idleLook = library.CheckCapacity("m"); // a new sample starts, with a queue
        clock.Advance(TimeSpan.FromMilliseconds(500));
        first.SetResult();
        await model.ExpectBatchesAsync(8); // 100, 1–5 answered; 200 held
        var atFive = library.CheckCapacity("m"); // 5 queued at 12/s: about 417 ms, under half of 2 s
        calls.AddRange(Enumerable.Range(300, 10).Select(i => client.PredictAsync(200 + i).AsTask())); // the clients' calls are still queued
        var atFifteen = library.CheckCapacity("m"); // 15 queued: 1,250 ms, over half of 2 s

        second.SetResult();
        await Task.WhenAll(calls);
        Assert.Null(idleLook);
        Assert.Null(atFive);
        Assert.NotNull(atFifteen);
        Assert.Equal("Model 'm' is overloaded: a request queued now would wait about 1250 ms, over half its 2000 ms deadline. Retry after 1250 ms.", atFifteen.Message);
        Assert.Equal(TimeSpan.FromMilliseconds(1250), atFifteen.RetryAfter);
    }
}
