using System.Threading.Channels;
using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace ModelActors.Benchmarks;

/// <summary>
/// One request/reply hop, per call: <c>PredictAsync</c> through the model's router to its replica (identity
/// AsyncModel, one replica, Balancing, a 30 s deadline on every call) side by side, in one actor system,
/// with the same model behind two replicas (Balancing's work pulling), with a <see cref="ModelRequest{TItem}"/> asked of
/// the model's actor (the actor form, answered to the sender),
/// with Akka's own <c>Ask</c> (30 s timeout) to a bare echo actor (the baseline), with a bare <c>Tell</c>
/// carrying a <see cref="TaskCompletionSource{TResult}"/> that the echo actor completes, and, as a
/// reference line, the hand-made Channel hop the project's own actor layer used to be measured against.
/// Each invocation makes <see cref="Calls"/> calls, split over <see cref="Callers"/> concurrent callers.
/// </summary>
[MemoryDiagnoser]
public class ActorHopBenchmarks
{
    private const int Calls = 1_000;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private ModelLibrary _library = null!;
    private IModelClient<int, int> _client = null!;
    private IModelClient<int, int> _balanced = null!;
    private IActorRef _model = null!;
    private IActorRef _echo = null!;
    private Channel<(int Item, TaskCompletionSource<int> Reply)> _channel = null!;
    private Task _consumer = null!;

    /// <summary>Callers making calls at once (1: latency of a lone caller; 16: a loaded replica).</summary>
    [Params(1, 16)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _library = ModelLibrary.CreateBuilder()
            .AddModel<IdentityModel>("identity")
            .AddModel<IdentityModel>("identity-2", o => o.Replicas = 2)
            .Build();
        _library.LoadAsync().GetAwaiter().GetResult();
        _client = _library.Get<int, int>("identity");
        _balanced = _library.Get<int, int>("identity-2");
        _model = _library.RouterOf("identity");
        _echo = _library.ActorSystem.ActorOf(Props.Create<Echo>(), "echo");

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

    /// <summary>Akka's <c>Ask</c> to a bare echo actor, with a finite timeout as every call should have.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public Task AkkaAsk() => Run(async () =>
    {
        var sum = 0;
        for (var i = 0; i < Calls / Callers; i++)
        {
            sum += await _echo.Ask<int>(i, AskTimeout).ConfigureAwait(false);
        }

        return sum;
    });

    /// <summary>A bare <c>Tell</c> whose message carries its reply completion.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task TellWithReply() => Run(async () =>
    {
        var sum = 0;
        for (var i = 0; i < Calls / Callers; i++)
        {
            var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _echo.Tell(new EchoRequest(i, reply));
            sum += await reply.Task.ConfigureAwait(false);
        }

        return sum;
    });

    /// <summary><c>PredictAsync</c> through the model actor's replica.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task PredictAsync() => Run(async () =>
    {
        var sum = 0;
        for (var i = 0; i < Calls / Callers; i++)
        {
            sum += await _client.PredictAsync(i).ConfigureAwait(false);
        }

        return sum;
    });

    /// <summary>
    /// The actor form, as a caller on another node would use it: Akka's <c>Ask</c> of a <see cref="ModelRequest{TItem}"/>
    /// to the model's actor, answered to the sender (no reply slot) with a <see cref="ModelReply{TResult}"/>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task RequestAsk() => Run(async () =>
    {
        var sum = 0;
        for (var i = 0; i < Calls / Callers; i++)
        {
            sum += (await _model.Ask<ModelReply<int>>(new ModelRequest<int>([i]), AskTimeout).ConfigureAwait(false)).Results[0];
        }

        return sum;
    });

    /// <summary><c>PredictAsync</c> to the same model with two replicas: Balancing's work pulling (its balancing actor) between them.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task PredictAsyncTwoReplicas() => Run(async () =>
    {
        var sum = 0;
        for (var i = 0; i < Calls / Callers; i++)
        {
            sum += await _balanced.PredictAsync(i).ConfigureAwait(false);
        }

        return sum;
    });

    /// <summary>Reference line: a Channel write and read plus a TaskCompletionSource reply (no actor).</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task ChannelHop() => Run(async () =>
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

    /// <summary>A request to <see cref="Echo"/> carrying its reply completion.</summary>
    /// <param name="Item">The item.</param>
    /// <param name="Reply">Completed with the item.</param>
    public sealed record EchoRequest(int Item, TaskCompletionSource<int> Reply);

    /// <summary>A bare actor: answers an Ask with its message, completes an <see cref="EchoRequest"/>.</summary>
    public sealed class Echo : UntypedActor
    {
        /// <inheritdoc />
        protected override void OnReceive(object message)
        {
            if (message is EchoRequest request)
            {
                request.Reply.SetResult(request.Item);
            }
            else
            {
                Sender.Tell(message);
            }
        }
    }
}
