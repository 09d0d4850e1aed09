using System.Threading.Channels;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ModelActors.Batching;

/// <summary>
/// A source that, each time it is pulled and one of <paramref name="replicas"/> is free, emits
/// everything queued in <paramref name="reader"/> up to <paramref name="maxWeight"/> (whole pieces, in
/// order) as one batch, which takes the replica's slot along: the demand-driven batcher of
/// <c>MaxDelay</c> zero.
/// </summary>
/// <remarks>
/// While every replica is busy it forms at most one batch ahead, and only a full one (the replica that
/// frees up next then finds it ready instead of waiting for this stage to be scheduled).
/// Why our own stage and not Akka's <c>ChannelSource</c> followed by <c>Batch</c>: <c>ChannelSource</c>
/// emits one element per wake-up, and <c>Batch</c> pushes its aggregate as soon as there is demand, so
/// whenever a replica was already free the first request to arrive went alone and the rest queued
/// behind it. Under a closed loop of 64 callers that split every cycle into a batch of 1 and one of 63
/// (measured: mean batch 32, half the throughput). Reading the channel when the replica asks for
/// work, and only then, takes whatever arrived in the meantime. Pieces wait in the channel while every
/// replica is busy, so no partial batch is formed ahead of the replica that will run it. The replica slots
/// are shared with the batcher's straight path (a lone request sent to an idle replica without waking
/// the graph), so between them at most one batch per replica is ever out.
/// </remarks>
internal sealed class QueuedBatchSource<T>(ChannelReader<T> reader, int maxWeight, Func<T, int> weigh, ReplicaSlots replicas) : GraphStage<SourceShape<List<T>>>
    where T : class
{
    private readonly Outlet<List<T>> _out = new("queued-batches.out");
    private readonly ChannelReader<T> _reader = reader;
    private readonly int _maxWeight = maxWeight;
    private readonly Func<T, int> _weigh = weigh;
    private readonly ReplicaSlots _replicas = replicas;

    public override SourceShape<List<T>> Shape => new(_out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly QueuedBatchSource<T> _stage;
        private readonly Action<bool> _onReady;
        private readonly Action<Exception> _onFailed;
        private readonly Action _onReplicaFree;
        private bool _reserved;

        public Logic(QueuedBatchSource<T> stage)
            : base(stage.Shape)
        {
            if (!stage._reader.CanPeek)
            {
                throw new ArgumentException("The channel must support TryPeek.", nameof(stage));
            }

            _stage = stage;
            _onReady = GetAsyncCallback<bool>(OnReady);
            _onFailed = GetAsyncCallback<Exception>(FailStage);
            _onReplicaFree = GetAsyncCallback(OnReplicaFree);
            SetHandler(stage._out, this);
        }

        public override void OnPull() => EmitOrWait();

        public override void PostStop()
        {
            if (_reserved)
            {
                _reserved = false;
                _stage._replicas.Free();
            }
        }

        private void OnReady(bool more)
        {
            if (!more)
            {
                CompleteStage();
            }
            else if (IsAvailable(_stage._out))
            {
                EmitOrWait();
            }
        }

        private void OnReplicaFree()
        {
            if (IsAvailable(_stage._out))
            {
                EmitOrWait();
            }
        }

        /// <summary>
        /// With a replica reserved, pushes what is queued (the batch takes the reservation along); with
        /// nothing queued, gives the replica back (so a lone request can go straight to it) and arranges to be
        /// called back on the next arrival; with no replica free, on the next one freed. Only called while pulled.
        /// </summary>
        private void EmitOrWait()
        {
            while (true)
            {
                if (!_reserved)
                {
                    if (!_stage._replicas.TryReserve() && !_stage._replicas.TryReserveAhead())
                    {
                        if (_stage._replicas.ArmOrRetry(_onReplicaFree))
                        {
                            continue;
                        }

                        return;
                    }

                    _reserved = true;
                }

                if (Drain(out var weight) is { } batch)
                {
                    _reserved = false;
                    _stage._replicas.Dequeued(weight);
                    Push(_stage._out, batch);
                    return;
                }

                _reserved = false;
                _stage._replicas.Free();

                var wait = _stage._reader.WaitToReadAsync();
                if (!wait.IsCompletedSuccessfully)
                {
                    wait.AsTask().ContinueWith(
                        t =>
                        {
                            if (t.IsFaulted)
                            {
                                _onFailed(t.Exception!.GetBaseException());
                            }
                            else if (t.IsCanceled)
                            {
                                _onFailed(new TaskCanceledException(t));
                            }
                            else
                            {
                                _onReady(t.Result);
                            }
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                    return;
                }

                if (!wait.Result)
                {
                    CompleteStage();
                    return;
                }
            }
        }

        /// <summary>Reads whole pieces while they fit in <c>maxWeight</c> (the first always does); null when nothing is queued.</summary>
        private List<T>? Drain(out int weight)
        {
            var reader = _stage._reader;
            List<T>? batch = null;
            weight = 0;
            while (reader.TryPeek(out var next))
            {
                var cost = _stage._weigh(next);
                if (batch is not null && weight + cost > _stage._maxWeight)
                {
                    break;
                }

                reader.TryRead(out _);
                (batch ??= []).Add(next);
                weight += cost;
                if (weight >= _stage._maxWeight)
                {
                    break;
                }
            }

            return batch;
        }
    }
}
