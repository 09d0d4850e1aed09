using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace ModelActors.Benchmarks;

/// <summary>
/// One request/reply hop: <c>PredictAsync</c> through the actor layer (router, mailbox, replica, pooled
/// reply slot with a deadline) on an identity AsyncModel, against the same hop built by hand: a Channel
/// write and read plus a TaskCompletionSource reply. Each invocation makes <see cref="Calls"/> calls in
/// a row, so the figures are per call.
/// </summary>
[MemoryDiagnoser]
public class ActorHopBenchmarks
{
    private const int Calls = 1_000;

    private ModelLibrary _library = null!;
    private IModelClient<int, int> _client = null!;
    private Channel<(int Item, TaskCompletionSource<int> Reply)> _channel = null!;
    private Task _consumer = null!;

    /// <summary>Callers making calls at once (1: latency of a lone caller; 16: a loaded pool).</summary>
    [Params(1, 16)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _library = ModelLibrary.CreateBuilder().AddModel<IdentityModel>("identity").Build();
        _library.LoadAsync().GetAwaiter().GetResult();
        _client = _library.Get<int, int>("identity");

        _channel = Channel.CreateUnbounded<(int, TaskCompletionSource<int>)>(new UnboundedChannelOptions { SingleReader = true });
        _consumer = Task.Run(async () =>
        {
            var reader = _channel.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var request))
                {
                    request.Reply.SetResult(request.Item);
                }
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _channel.Writer.Complete();
        _consumer.GetAwaiter().GetResult();
        _library.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public Task HandMadeHop() => Run(async () =>
    {
        var sum = 0;
        for (var i = 0; i < Calls / Callers; i++)
        {
            var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _channel.Writer.TryWrite((i, reply));
            sum += await reply.Task.ConfigureAwait(false);
        }

        return sum;
    });

    [Benchmark(OperationsPerInvoke = Calls)]
    public Task ThroughActors() => Run(async () =>
    {
        var sum = 0;
        for (var i = 0; i < Calls / Callers; i++)
        {
            sum += await _client.PredictAsync(i).ConfigureAwait(false);
        }

        return sum;
    });

    private Task Run(Func<Task<int>> caller)
    {
        if (Callers == 1)
        {
            return caller();
        }

        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            callers[c] = caller();
        }

        return Task.WhenAll(callers);
    }

    /// <summary>Returns its item: the model does no work, so only the hop is measured.</summary>
    public sealed class IdentityModel : AsyncModel<int, int>
    {
        /// <inheritdoc />
        protected override ValueTask<int> PredictAsync(int item, CancellationToken cancellationToken) => ValueTask.FromResult(item);
    }
}
