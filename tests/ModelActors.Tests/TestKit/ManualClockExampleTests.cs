using ModelActors.TestKit;

namespace ModelActors.Tests.TestKit;

/// <summary>The README's <c>ManualTimeProvider</c> example, as written there (it once left the library's dispose waiting for the held batch).</summary>
public sealed class ManualClockExampleTests
{
    [Fact]
    public async Task TheReadmesManualClockExample_RunsToItsEnd()
    {
        var clock = new ManualTimeProvider();
        var gate = new TaskCompletionSource();
        var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);   // holds each batch until the gate opens
        await using var library = ModelLibrary.CreateBuilder()
            .AddModel("probe", o => o.Timeout = TimeSpan.FromSeconds(2), _ => probe)
            .UseTimeProvider(clock)
            .Build();

        var call = library.Get<int, int>("probe").PredictAsync(1).AsTask();
        await probe.ExpectBatchesAsync(1);          // the probe has seen one batch
        clock.Advance(TimeSpan.FromSeconds(2));      // fires the deadline
        await Assert.ThrowsAsync<TimeoutException>(() => call);
        gate.SetResult();                            // the held batch ends: the library's dispose need not wait for it
    }
}
