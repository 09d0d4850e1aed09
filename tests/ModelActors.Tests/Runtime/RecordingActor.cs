using System.Collections.Concurrent;
using ModelActors.Runtime;

namespace ModelActors.Tests.Runtime;

/// <summary>
/// A message for the actor-core tests: an id; <see cref="Entered"/> completes when an actor starts
/// handling it; <see cref="Gate"/> holds it open; <see cref="Failure"/> makes the handler throw.
/// </summary>
internal sealed record TestMessage(int Id, Task? Gate = null, Exception? Failure = null, ReplyTo<int>? Reply = null)
{
    public TaskCompletionSource<int> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Records what each replica handles, in order; holds a message open on its gate; throws its failure.</summary>
internal sealed class RecordingActor(int replica, ConcurrentQueue<(int Replica, int Id)> log, Action<int>? onStart = null) : IActor<TestMessage>
{
    public ValueTask PreStartAsync(CancellationToken cancellationToken)
    {
        onStart?.Invoke(replica);
        return ValueTask.CompletedTask;
    }

    public async ValueTask ReceiveAsync(TestMessage message)
    {
        log.Enqueue((replica, message.Id));
        message.Entered.TrySetResult(replica);
        if (message.Gate is { } gate)
        {
            await gate.ConfigureAwait(false);
        }

        if (message.Failure is { } failure)
        {
            throw failure;
        }

        if (message.Reply is { } reply)
        {
            reply.TrySetResult(message.Id);
            reply.Release();
        }
    }
}
