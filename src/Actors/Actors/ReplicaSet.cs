using Akka.Actor;
using ModelActors.Models;

namespace ModelActors.Actors;

/// <summary>
/// The replicas of one load of one model, as the callers see them: the actor work is told to (<see cref="Post"/>), the bounded admission count in front of Akka's unbounded
/// mailboxes, and the counts <c>Describe()</c> reports.
/// </summary>
internal sealed class ReplicaSet<TItem, TResult> : IReplicaTarget<TItem, TResult>
{
    private readonly int _capacity;
    private readonly List<Task> _stopped = [];
    private int _queued;
    private int _busy;
    private int _nextIndex = -1;
    private volatile bool _closed;

    public ReplicaSet(int replicas, int capacity, IActorRef modelActor, int generation)
    {
        Replicas = replicas;
        Generation = generation;
        ModelActor = modelActor;
        _capacity = capacity;
    }

    /// <summary>How many replicas this load started.</summary>
    public int Replicas { get; }

    /// <summary>Which start of the model's replicas this set belongs to (from 1); part of the router's actor name.</summary>
    public int Generation { get; }

    /// <summary>The model actor that owns these replicas.</summary>
    public IActorRef ModelActor { get; }

    /// <summary>
    /// Where work is told (set once the model actor has created it): an Akka pool router, or for Balancing with several
    /// replicas the <see cref="BalancingActor{TItem, TResult}"/> whose replicas ask it for work.
    /// </summary>
    public IActorRef Router { get; set; } = ActorRefs.Nobody;

    /// <summary>Whether the replicas ask a <see cref="BalancingActor{TItem, TResult}"/> for work (tell it when they are free).</summary>
    public bool Pulls { get; set; }

    /// <summary>For a door to other nodes: how many nodes its router sends to now (what the door last learned from it).</summary>
    public int RemoteNodes
    {
        get => Volatile.Read(ref _remoteNodes);
        set => Volatile.Write(ref _remoteNodes, value);
    }

    private int _remoteNodes;

    /// <summary>Set when a drain deadline passed: work still reaching a replica fails with a shutdown error.</summary>
    public bool Aborted { get; private set; }

    /// <inheritdoc />
    public IActorRef Ref => Router;

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

        try
        {
            Router.Tell(work, ActorRefs.NoSender);
        }
        catch
        {
            Interlocked.Decrement(ref _queued); // not accepted: its place in the queue is given back
            throw;
        }

        return PostResult.Accepted;
    }

    /// <summary>A replica took a work item from its mailbox.</summary>
    public void Taken() => Interlocked.Decrement(ref _queued);

    /// <summary>A replica started (+1) or finished (−1) a model call.</summary>
    public void Busy(int delta) => Interlocked.Add(ref _busy, delta);

    /// <summary>Stops accepting work (work already in the replicas' mailboxes is still processed).</summary>
    public void Close() => _closed = true;

    /// <summary>The drain deadline passed: stops accepting work; work still in mailboxes reaches dead letters when the replicas stop.</summary>
    public void Abort()
    {
        Aborted = true;
        Close();
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
