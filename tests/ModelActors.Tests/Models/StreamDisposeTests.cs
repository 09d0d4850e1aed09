using ModelActors.TestKit;

namespace ModelActors.Tests.Models;

/// <summary>A stream call whose library is disposed while it runs ends, and says why.</summary>
public sealed class StreamDisposeTests
{
    /// <summary>
    /// The dispose drains the models, then shuts the library's materializer down, racing the stream's own failure: each
    /// round meets that race somewhere else, and every one must end the call with <see cref="ModelStoppedException"/>
    /// (Akka's queue sink left the pending read unanswered, or failed it with its own <c>StreamDetachedException</c>).
    /// </summary>
    [Fact]
    public async Task PredictStream_WhoseLibraryIsDisposedMidStream_EndsWithModelStoppedException()
    {
        for (var round = 0; round < 10; round++)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var probe = ProbeModel<int, int>.Holding(gate.Task, i => i);
            var library = ModelLibrary.CreateBuilder().AddModel("m", o => o.Replicas = 2, _ => probe).Build();
            await library.LoadAsync();
            var read = 0;
            var consumer = Task.Run(async () =>
            {
                await foreach (var _ in library.Get<int, int>("m").PredictStream(Enumerable.Range(0, 1000)))
                {
                    read++;
                }
            });
            await probe.ExpectBatchesAsync(1);

            var disposing = library.DisposeAsync().AsTask();
            gate.SetResult(); // the calls in flight finish: the drain ends, the materializer is shut down

            var error = await Assert.ThrowsAsync<ModelStoppedException>(() => consumer.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("m", error.ModelName);
            await disposing.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.InRange(read, 0, 999);
        }
    }
}
