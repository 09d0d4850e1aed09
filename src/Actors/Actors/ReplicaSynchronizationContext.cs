using Akka.Dispatch;

namespace ModelActors.Actors;

/// <summary>
/// The synchronization context an async model's code runs under on its replica: every await in it (the model's own,
/// a dependency's answer, the replica's own continuations) resumes on the replicas' dispatcher
/// (<see cref="ModelActorsConfig.AsyncDispatcherId"/>), never on the .NET thread pool, so callers blocked on pool
/// threads cannot starve the work they wait for.
/// </summary>
/// <remarks>
/// Our own because Akka's <c>ActorTaskScheduler</c> (the scheduler of <c>RunTask</c>) posts continuations to the
/// actor's mailbox, which a replica keeps suspended while its call runs, and wrapping every call in <c>RunTask</c> would
/// cost the calls that complete at once. A context is the one thing .NET's awaits honour on every path, including the
/// race where a task completes while its awaiter registers (without one, that continuation is queued to the pool). Code
/// that awaits with <c>ConfigureAwait(false)</c> leaves the context, and its continuations may then use the pool.
/// </remarks>
internal sealed class ReplicaSynchronizationContext(MessageDispatcher dispatcher) : SynchronizationContext
{
    /// <inheritdoc />
    public override void Post(SendOrPostCallback d, object? state) => dispatcher.Schedule(new Continuation(this, d, state));

    /// <inheritdoc />
    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Makes this context current on this thread until the scope is disposed.</summary>
    public Scope Enter()
    {
        var previous = Current;
        SetSynchronizationContext(this);
        return new Scope(previous);
    }

    /// <summary>Restores the thread's previous context.</summary>
    public readonly struct Scope(SynchronizationContext? previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => SetSynchronizationContext(previous);
    }

    private sealed class Continuation(ReplicaSynchronizationContext context, SendOrPostCallback callback, object? state) : IRunnable
    {
        public void Run()
        {
            using (context.Enter())
            {
                callback(state);
            }
        }

        public void Execute() => Run();
    }
}
