using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ModelActors.Host.Tests;

/// <summary>A logger provider that keeps every formatted message, for tests that read what a server logged.</summary>
public sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    /// <summary>Every message logged so far, in order.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>Completes with the first message (logged before or after the call) that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForAsync(Func<string, bool> match)
    {
        lock (_waiters)
        {
            if (_lines.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task;
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    private void Add(string line)
    {
        lock (_waiters)
        {
            _lines.Enqueue(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Seen.TrySetResult(line);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(LogLines lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines.Add(formatter(state, exception));
            }
        }
    }
}
