namespace ModelActors.Runtime;

/// <summary>Where an actor's message loop runs.</summary>
internal enum DispatcherKind
{
    /// <summary>On the thread pool: for actors whose handlers await and never block.</summary>
    ThreadPool,

    /// <summary>On a dedicated thread per actor: for handlers that block (sync models).</summary>
    DedicatedThread,
}

/// <summary>What a handler failure does to the actor (Akka's directives).</summary>
internal enum SupervisorDirective
{
    /// <summary>Keep the instance and go on with the next message (the failing message is dropped).</summary>
    Resume,

    /// <summary>Replace the instance (PostStop, new instance, PreStart) and go on with the next message.</summary>
    Restart,

    /// <summary>Stop the actor; the remaining messages go to dead letters.</summary>
    Stop,
}

/// <summary>
/// Supervision: how handler failures are treated, and how start (load) failures are retried with
/// exponential backoff before the actor is declared failed.
/// </summary>
internal sealed record SupervisorStrategy
{
    /// <summary>Resume on every handler failure; 3 start retries from 200 ms doubling to at most 10 s.</summary>
    public static SupervisorStrategy Default { get; } = new();

    /// <summary>Decides the directive for a handler failure. The default resumes.</summary>
    public Func<Exception, SupervisorDirective> Decider { get; init; } = static _ => SupervisorDirective.Resume;

    /// <summary>Start retries after the first attempt fails; 0 means fail at the first failure.</summary>
    public int MaxRestarts { get; init; } = 3;

    /// <summary>The delay before the first retry.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The largest delay between retries.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The delay before retry number <paramref name="retry"/> (from 1): MinBackoff × 2^(retry−1), capped at MaxBackoff.</summary>
    public TimeSpan Backoff(int retry)
    {
        var factor = Math.Pow(2, Math.Min(retry - 1, 30));
        var ticks = Math.Min(MinBackoff.Ticks * factor, MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}

/// <summary>How to make and run an actor: immutable, shared by every replica of a pool (Akka's Props).</summary>
/// <param name="Producer">Makes a new instance for replica <c>index</c> (called again on each restart).</param>
internal sealed record Props<TMessage>(Func<int, IActor<TMessage>> Producer)
{
    /// <summary>Where the message loop runs.</summary>
    public DispatcherKind Dispatcher { get; init; } = DispatcherKind.ThreadPool;

    /// <summary>How failures are treated.</summary>
    public SupervisorStrategy Supervisor { get; init; } = SupervisorStrategy.Default;

    /// <summary>Messages processed before a thread-pool actor yields its thread to others.</summary>
    public int Throughput { get; init; } = 30;

    /// <summary>Receives messages that were accepted but will never be processed (abrupt stop, failed actor).</summary>
    public Action<TMessage>? DeadLetters { get; init; }
}
