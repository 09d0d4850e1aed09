using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace ModelActors.Runtime;

/// <summary>
/// Runs one actor: starts it (retrying start failures with backoff), then takes messages from its
/// reader one at a time in FIFO order until the reader completes, applying supervision to handler
/// failures. Thread-pool cells await their handlers; dedicated-thread cells block on them.
/// </summary>
internal sealed class ActorCell<TMessage>
{
    private readonly Props<TMessage> _props;
    private readonly Mailbox<TMessage> _reader;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action? _onMessageDone;
    private readonly Action? _onStopping;
    private readonly bool _ownsReader;
    private IActor<TMessage>? _actor;
    private int _busy;

    /// <param name="path">A name for logs and messages.</param>
    /// <param name="index">The replica index handed to the producer.</param>
    /// <param name="props">How to make and run the actor.</param>
    /// <param name="reader">The mailbox to read; shared by the replicas of a balancing pool.</param>
    /// <param name="ownsReader">Whether no other cell reads <paramref name="reader"/> (then a stopping cell dead-letters what is left in it).</param>
    /// <param name="logger">Where restarts and failures are logged.</param>
    /// <param name="timeProvider">The clock for start backoff.</param>
    /// <param name="onMessageDone">Called once per message taken from the reader, after it was handled or dead-lettered.</param>
    /// <param name="onStopping">Called when the cell stops for good, before it dead-letters its own mailbox (the router closes that mailbox).</param>
    public ActorCell(string path, int index, Props<TMessage> props, Mailbox<TMessage> reader, bool ownsReader, ILogger logger, TimeProvider timeProvider, Action? onMessageDone = null, Action? onStopping = null)
    {
        _ownsReader = ownsReader;
        _onStopping = onStopping;
        Path = path;
        Index = index;
        _props = props;
        _reader = reader;
        _logger = logger;
        _timeProvider = timeProvider;
        _onMessageDone = onMessageDone;
    }

    public string Path { get; }

    public int Index { get; }

    /// <summary>Completes when the actor has started; faults with the last start failure when the retries ran out.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when the message loop has ended and PostStop has run.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Start attempts made so far.</summary>
    public int StartAttempts { get; private set; }

    /// <summary>1 while a message is being handled.</summary>
    public int Busy => Volatile.Read(ref _busy);

    /// <summary>Starts the message loop on the props' dispatcher.</summary>
    public void Start()
    {
        if (_props.Dispatcher == DispatcherKind.DedicatedThread)
        {
            var thread = new Thread(RunBlocking) { IsBackground = true, Name = Path };
            thread.Start();
        }
        else
        {
            _ = Task.Run(RunAsync);
        }
    }

    /// <summary>
    /// Stops processing: messages still queued go to dead letters at once, without waiting for a
    /// message in progress (which finishes on its own).
    /// </summary>
    public void Abort()
    {
        _abort.Cancel();
        DeadLetterQueued();
    }

    private async Task RunAsync()
    {
        try
        {
            if (await StartWithBackoffAsync(blocking: false).ConfigureAwait(false))
            {
                var handled = 0;

                // No token here: a cancellable wait allocates a waiter on every idle wait. Abort closes
                // the mailbox (waking this wait) and the inner loop checks the abort flag.
                while (await _reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (!_abort.IsCancellationRequested && _reader.TryRead(out var message))
                    {
                        if (!await InvokeAsync(message).ConfigureAwait(false))
                        {
                            break;
                        }

                        if (++handled % _props.Throughput == 0)
                        {
                            await Task.Yield();
                        }
                    }

                    if (_actor is null || _abort.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            await FinishAsync().ConfigureAwait(false);
        }
    }

    private void RunBlocking()
    {
        try
        {
            if (StartWithBackoffAsync(blocking: true).AsTask().GetAwaiter().GetResult())
            {
                while (WaitToRead())
                {
                    while (!_abort.IsCancellationRequested && _reader.TryRead(out var message))
                    {
                        var handled = InvokeAsync(message);
                        var goOn = handled.IsCompleted ? handled.Result : handled.AsTask().GetAwaiter().GetResult();
                        if (!goOn)
                        {
                            break;
                        }
                    }

                    if (_actor is null || _abort.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            FinishAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private bool WaitToRead()
    {
        var waiting = _reader.WaitToReadAsync();
        return waiting.IsCompleted ? waiting.Result : waiting.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Handles one message under supervision; false when the actor must stop.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> InvokeAsync(TMessage message)
    {
        Volatile.Write(ref _busy, 1);
        try
        {
            await _actor!.ReceiveAsync(message).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception)
        {
            var directive = _props.Supervisor.Decider(exception);
            RuntimeLog.HandlerFailed(_logger, Path, directive, exception);
            switch (directive)
            {
                case SupervisorDirective.Resume:
                    return true;
                case SupervisorDirective.Restart:
                    await StopActorAsync().ConfigureAwait(false);
                    var restarted = await StartWithBackoffAsync(blocking: _props.Dispatcher == DispatcherKind.DedicatedThread).ConfigureAwait(false);
                    if (restarted)
                    {
                        RuntimeLog.Restarted(_logger, Path);
                    }

                    return restarted;
                default:
                    await StopActorAsync().ConfigureAwait(false);
                    return false;
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
            MessageDone();
        }
    }

    private async ValueTask<bool> StartWithBackoffAsync(bool blocking)
    {
        var strategy = _props.Supervisor;
        for (var attempt = 1; ; attempt++)
        {
            StartAttempts++;
            Exception failure;
            try
            {
                var actor = _props.Producer(Index);
                _actor = actor;
                await actor.PreStartAsync(_abort.Token).ConfigureAwait(false);
                _started.TrySetResult();
                return true;
            }
            catch (Exception exception)
            {
                failure = exception;
                _actor = null;
            }

            if (attempt > strategy.MaxRestarts || _abort.IsCancellationRequested)
            {
                RuntimeLog.StartFailed(_logger, Path, attempt, failure);
                _started.TrySetException(failure);
                return false;
            }

            var backoff = strategy.Backoff(attempt);
            RuntimeLog.StartRetry(_logger, Path, attempt, backoff.TotalMilliseconds, failure);
            var delay = Task.Delay(backoff, _timeProvider, _abort.Token);
            try
            {
                if (blocking)
                {
                    delay.GetAwaiter().GetResult();
                }
                else
                {
                    await delay.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                RuntimeLog.StartFailed(_logger, Path, attempt, failure);
                _started.TrySetException(failure);
                return false;
            }
        }
    }

    private async ValueTask StopActorAsync()
    {
        var actor = _actor;
        _actor = null;
        if (actor is null)
        {
            return;
        }

        try
        {
            await actor.PostStopAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            RuntimeLog.PostStopFailed(_logger, Path, exception);
        }
    }

    private async ValueTask FinishAsync()
    {
        await StopActorAsync().ConfigureAwait(false);
        _onStopping?.Invoke();
        if (_ownsReader || _abort.IsCancellationRequested)
        {
            DeadLetterQueued();
        }

        // A cell that never started reports its start failure through Started; make sure nobody waits forever.
        if (!_started.Task.IsCompleted)
        {
            _started.TrySetException(new InvalidOperationException($"Actor {Path} stopped before it started."));
        }
        _completion.TrySetResult();
    }

    private void DeadLetterQueued()
    {
        var deadLettered = 0;
        while (_reader.TryRead(out var message))
        {
            deadLettered++;
            _props.DeadLetters?.Invoke(message);
            MessageDone();
        }

        if (deadLettered > 0)
        {
            RuntimeLog.DrainAborted(_logger, Path, deadLettered);
        }
    }

    private void MessageDone() => _onMessageDone?.Invoke();
}
