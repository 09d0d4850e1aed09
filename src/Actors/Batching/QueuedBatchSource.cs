using System.Threading.Channels;
using Akka.Streams;
using Akka.Streams.Stage;

namespace ModelActors.Batching;

/// <summary>
/// A source that, each time it is pulled, emits everything queued in <paramref name="reader"/> up to
/// <paramref name="maxWeight"/> (whole pieces, in order) as one batch, waiting for the next arrival
/// only when nothing is queued: the demand-driven batcher of <c>MaxDelay</c> zero.
/// </summary>
/// <remarks>
/// Why our own stage and not Akka's <c>ChannelSource</c> followed by <c>Batch</c>: <c>ChannelSource</c>
/// emits one element per wake-up, and <c>Batch</c> pushes its aggregate as soon as there is demand, so
/// whenever a replica was already free the first request to arrive went alone and the rest queued
/// behind it. Under a closed loop of 64 callers that split every cycle into a batch of 1 and one of 63
/// (measured: mean batch 32, half the throughput). Reading the channel when the replica asks for
/// work, and only then, takes whatever arrived in the meantime. Pieces wait in the channel while every
/// replica is busy, so a batch is never formed ahead of the replica that will run it.
/// </remarks>
internal sealed class QueuedBatchSource<T>(ChannelReader<T> reader, int maxWeight, Func<T, int> weigh) : GraphStage<SourceShape<List<T>>>
    where T : class
{
    private readonly Outlet<List<T>> _out = new("queued-batches.out");
    private readonly ChannelReader<T> _reader = reader;
    private readonly int _maxWeight = maxWeight;
    private readonly Func<T, int> _weigh = weigh;

    public override SourceShape<List<T>> Shape => new(_out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly QueuedBatchSource<T> _stage;
        private readonly Action<bool> _onReady;
        private readonly Action<Exception> _onFailed;

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
            SetHandler(stage._out, this);
        }

        public override void OnPull() => EmitOrWait();

        private void OnReady(bool more)
        {
            if (more)
            {
                EmitOrWait();
            }
            else
            {
                CompleteStage();
            }
        }

        /// <summary>Pushes what is queued, or arranges to be called back when something is (or the channel completed). Only called while pulled.</summary>
        private void EmitOrWait()
        {
            while (true)
            {
                if (Drain() is { } batch)
                {
                    Push(_stage._out, batch);
                    return;
                }

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
        private List<T>? Drain()
        {
            var reader = _stage._reader;
            List<T>? batch = null;
            var weight = 0;
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
