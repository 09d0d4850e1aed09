using System.Threading.Channels;
using Akka.Actor;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// The replicas of one load of one model, as the callers see them: where work goes (<see cref="Post"/>),
/// the bounded admission count in front of Akka's unbounded mailboxes, and the counts
/// <c>Describe()</c> reports. With <see cref="RouterKind.Balancing"/> (Akka.NET has no BalancingPool) the
/// work is told straight to an idle replica when one is parked (<see cref="IdleReplicas"/>), else it
/// waits in one shared <see cref="Channel{T}"/> that replicas pull from whenever they finish; otherwise
/// it is told to the Akka pool router, which picks a replica's mailbox on the sender's thread.
/// </summary>
internal sealed class ReplicaSet<TItem, TResult> : IReplicaTarget<TItem, TResult>
{
    private readonly int _capacity;
    private readonly Channel<IModelWork<TItem, TResult>>? _shared;
    private readonly List<Task> _stopped = [];
    private int _queued;
    private int _busy;
    private int _nextIndex = -1;
    private volatile bool _closed;

    public ReplicaSet(RouterKind router, int replicas, int capacity, IActorRef modelActor, int generation)
    {
        Replicas = replicas;
        Generation = generation;
        ModelActor = modelActor;
        _capacity = capacity;
        if (router == RouterKind.Balancing && replicas > 1)
        {
            // Replicas never wait on the channel (idle ones park in Idle), so it is only a queue that
            // refuses writes once completed.
            _shared = Channel.CreateUnbounded<IModelWork<TItem, TResult>>(new UnboundedChannelOptions
            {
                SingleReader = false,
                SingleWriter = false,
            });
            Idle = new IdleReplicas();
        }
    }

    /// <summary>How many replicas this load started.</summary>
    public int Replicas { get; }

    /// <summary>Which start of the model's replicas this set belongs to (from 1); part of the replicas' actor names.</summary>
    public int Generation { get; }

    /// <summary>The model actor that owns these replicas.</summary>
    public IActorRef ModelActor { get; }

    /// <summary>
    /// Where work is told when there is no shared queue: the Akka pool router (RoundRobin, SmallestMailbox), or the one
    /// replica itself (Balancing with one replica: its mailbox is the queue, so work runs in the order it was posted);
    /// <see langword="null"/> with a shared queue.
    /// </summary>
    public IActorRef? Router { get; set; }

    /// <summary>Whether <see cref="Router"/> is an Akka pool router (told <c>Broadcast</c>) rather than the one replica.</summary>
    public bool RouterIsPool { get; set; }

    /// <summary>The shared queue replicas pull from (Balancing); <see langword="null"/> behind a router.</summary>
    public ChannelReader<IModelWork<TItem, TResult>>? SharedQueue => _shared?.Reader;

    /// <summary>Whether replicas pull from the shared queue (Balancing) rather than being sent work by a router.</summary>
    public bool Pulls => _shared is not null;

    /// <summary>Parked idle replicas (Balancing); <see langword="null"/> behind a router.</summary>
    public IdleReplicas? Idle { get; }

    /// <summary>Set when a drain deadline passed: work still reaching a replica fails with a shutdown error.</summary>
    public bool Aborted { get; private set; }

    /// <inheritdoc />
    public IActorRef Ref => Router ?? ModelActor;

    /// <inheritdoc />
    public int QueueDepth => Math.Max(0, Volatile.Read(ref _queued));

    /// <inheritdoc />
    public int BusyReplicas => Volatile.Read(ref _busy);

    /// <summary>The index of the next replica actor created (0-based; what <see cref="ModelContext.Replica"/> reports).</summary>
    public int NextIndex() => Interlocked.Increment(ref _nextIndex);

    /// <inheritdoc />
    public PostResult Post(IModelWork<TItem, TResult> work)
    {
        if (_closed)
        {
            return PostResult.Closed;
        }

        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            return PostResult.Full;
        }

        if (_shared is not null)
        {
            if (Idle!.TryClaim(out var idle))
            {
                idle.Tell(work, ActorRefs.NoSender);
                return PostResult.Accepted;
            }

            if (!_shared.Writer.TryWrite(work))
            {
                Interlocked.Decrement(ref _queued);
                return PostResult.Closed;
            }

            // A replica may have parked between the claim above and the write: wake one to pull.
            if (Idle.TryClaim(out idle))
            {
                idle.Tell(WakeReplica.Instance, ActorRefs.NoSender);
            }

            return PostResult.Accepted;
        }

        Router!.Tell(work, ActorRefs.NoSender);
        return PostResult.Accepted;
    }

    /// <summary>A replica took a work item (from its mailbox or the shared queue).</summary>
    public void Taken() => Interlocked.Decrement(ref _queued);

    /// <summary>A replica started (+1) or finished (−1) a model call.</summary>
    public void Busy(int delta) => Interlocked.Add(ref _busy, delta);

    /// <summary>Stops accepting work; replicas behind a shared queue stop once it is empty (parked ones are woken to see it).</summary>
    public void Close()
    {
        _closed = true;
        _shared?.Writer.TryComplete();
        while (Idle is not null && Idle.TryClaim(out var idle))
        {
            idle.Tell(WakeReplica.Instance, ActorRefs.NoSender);
        }
    }

    /// <summary>
    /// The drain deadline passed: stops accepting work and hands back what is still in the shared queue
    /// (work in Akka mailboxes reaches dead letters when the replicas are stopped).
    /// </summary>
    public List<IModelWork<TItem, TResult>> Abort()
    {
        Aborted = true;
        Close();
        var left = new List<IModelWork<TItem, TResult>>();
        while (_shared is not null && _shared.Reader.TryRead(out var work))
        {
            Taken();
            left.Add(work);
        }

        return left;
    }

    /// <summary>A replica actor stopped; <paramref name="disposal"/> completes when its model instance is disposed.</summary>
    public void ReplicaStopped(Task disposal)
    {
        lock (_stopped)
        {
            _stopped.Add(disposal);
        }
    }

    /// <summary>Completes when every replica that stopped so far has disposed its model instance.</summary>
    public Task Disposed()
    {
        lock (_stopped)
        {
            return Task.WhenAll(_stopped);
        }
    }
}
