using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Dispatch.MessageQueues;
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
    private readonly List<IMessageQueue> _mailboxes = [];
    private ConcurrentQueue<IModelWork<TItem, TResult>>? _balancerQueue;
    private ModelEntry<TItem, TResult>? _abortedFor;
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
    public bool Aborted => Volatile.Read(ref _abortedFor) is not null;

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

        if (Volatile.Read(ref _abortedFor) is { } entry)
        {
            FailQueued(entry); // the abort drained the mailboxes as this work was told: it is not left behind
        }

        return PostResult.Accepted;
    }

    /// <summary>A replica took a work item from its mailbox.</summary>
    public void Taken() => Interlocked.Decrement(ref _queued);

    /// <summary><paramref name="count"/> work items left the mailboxes without a replica (a stopping actor answered them).</summary>
    public void Taken(int count) => Interlocked.Add(ref _queued, -count);

    /// <summary>A replica started (+1) or finished (−1) a model call.</summary>
    public void Busy(int delta) => Interlocked.Add(ref _busy, delta);

    /// <summary>Stops accepting work (work already in the replicas' mailboxes is still processed).</summary>
    public void Close() => _closed = true;

    /// <summary>The mailbox of a replica or of the balancing actor (<paramref name="context"/>'s; Akka's queue, safe to take from on any thread), emptied at an abort.</summary>
    public void AddMailboxOf(IActorContext context)
    {
        if (context is ActorCell { Mailbox.MessageQueue: { } mailbox })
        {
            lock (_mailboxes)
            {
                _mailboxes.Add(mailbox);
            }
        }
    }

    /// <summary>The queue of the <see cref="BalancingActor{TItem, TResult}"/> in front of the replicas, emptied at an abort.</summary>
    public void AddBalancerQueue(ConcurrentQueue<IModelWork<TItem, TResult>> queue) => _balancerQueue = queue;

    /// <summary>
    /// The drain deadline passed: stops accepting work, and fails now, with <paramref name="entry"/>'s shutdown error,
    /// what is still queued in front of the replicas and in their mailboxes. A replica inside a long call cannot read its
    /// mailbox until the call returns, so its queued requests are taken out of the mailbox here rather than left for it
    /// to answer when it stops — by then the library may be gone, and they would wait for their deadlines.
    /// </summary>
    public void Abort(ModelEntry<TItem, TResult> entry)
    {
        Close();
        Interlocked.Exchange(ref _abortedFor, entry); // a full fence: a queue written after this sees Aborted, or is emptied below
        FailQueued(entry);
    }

    private void FailQueued(ModelEntry<TItem, TResult> entry)
    {
        IMessageQueue[] mailboxes;
        lock (_mailboxes)
        {
            mailboxes = [.. _mailboxes];
        }

        foreach (var mailbox in mailboxes)
        {
            while (mailbox.TryDequeue(out var envelope))
            {
                if (envelope.Message is IModelWork<TItem, TResult> work)
                {
                    Taken();
                    entry.Abandon(work);
                }
            }
        }

        while (_balancerQueue?.TryDequeue(out var queued) == true)
        {
            Taken();
            entry.Abandon(queued);
        }
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
