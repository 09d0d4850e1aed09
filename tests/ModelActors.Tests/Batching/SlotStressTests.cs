namespace ModelActors.Tests.Batching;

public sealed class SlotStressTests
{
    /// <summary>
    /// Many callers, random cancellations racing the batcher on 2 replicas, for a while: every slot must come
    /// back, and no request may be left without an answer.
    /// </summary>
    [StressFact]
    public async Task QueueSlots_StayExact_UnderRandomCancellationsFromManyCallers()
    {
        const int capacity = 64;
        await using var f = new BatchingFixture(maxBatchSize: 8, maxDelay: TimeSpan.Zero, replicas: 2, queueCapacity: capacity, holdCalls: false);
        var random = new Random(12345);

        for (var round = 0; round < 2_000; round++)
        {
            using var cts = new CancellationTokenSource();
            var calls = Enumerable.Range(0, capacity).Select(i => f.Client.PredictAsync(i, random.Next(3) == 0 ? cts.Token : default).AsTask()).ToList();
            if (random.Next(2) == 0)
            {
                await Task.Yield();
            }

            await cts.CancelAsync();
            var answered = 0;
            foreach (var call in calls)
            {
                try
                {
                    await call.WaitAsync(TimeSpan.FromSeconds(30));
                    answered++;
                }
                catch (OperationCanceledException)
                {
                    answered++;
                }
                catch (ModelOverloadedException)
                {
                    answered++;
                }
            }

            Assert.Equal(capacity, answered);
            Assert.Equal(0, f.QueueDepth);
        }
    }
}
