namespace ModelActors.Onnx.Runtime;

/// <summary>
/// Counts runs in flight on a session so that it is released only when none is: the package crashes the
/// process when a session is disposed while another thread is inside <c>Run</c>, or when a disposed one
/// is run. <see cref="TryEnter"/> fails once disposal began; the release runs exactly once, on the last exit.
/// </summary>
internal sealed class RunLease(Action release)
{
    private const int Closed = int.MinValue / 2;
    private int _state; // runs in flight; below zero once closed

    /// <summary>Enters a run; false when the session is disposed (or being disposed).</summary>
    public bool TryEnter()
    {
        var state = Volatile.Read(ref _state);
        while (state >= 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    /// <summary>Leaves a run; the last one out after <see cref="Close"/> releases the session.</summary>
    public void Exit()
    {
        if (Interlocked.Decrement(ref _state) == Closed)
        {
            release();
        }
    }

    /// <summary>Refuses new runs; releases at once when none is in flight, else on the last <see cref="Exit"/>.</summary>
    public void Close()
    {
        var state = Volatile.Read(ref _state);
        while (state >= 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, state + Closed, state);
            if (seen == state)
            {
                if (state == 0)
                {
                    release();
                }

                return;
            }

            state = seen;
        }
    }
}
