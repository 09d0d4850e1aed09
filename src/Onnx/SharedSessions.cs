namespace ModelActors.Onnx;

/// <summary>
/// One <see cref="InferenceSession"/> per model configuration, shared by its replicas (concurrent Run is
/// safe) with the gate that bounds their concurrent runs, released with the last of them.
/// </summary>
internal static class SharedSessions
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Sessions = new(StringComparer.Ordinal);

    /// <summary>The session for <paramref name="key"/>, created by <paramref name="create"/> for its first user.</summary>
    /// <param name="key">The model and session configuration.</param>
    /// <param name="create">Loads the session (outside the lock).</param>
    /// <param name="concurrentRuns">Runs allowed at once across the replicas; 0 for no limit.</param>
    /// <returns>The shared session and its run gate (null when unlimited).</returns>
    public static (InferenceSession Session, RunGate? RunGate) Acquire(string key, Func<InferenceSession> create, int concurrentRuns)
    {
        lock (Gate)
        {
            if (TryJoin(key) is { } shared)
            {
                return shared;
            }
        }

        // Loading runs outside the lock; a racing replica's duplicate is disposed.
        var session = create();
        lock (Gate)
        {
            if (TryJoin(key) is { } shared)
            {
                session.Dispose();
                return shared;
            }

            var entry = new Entry(session, concurrentRuns > 0 ? new RunGate(concurrentRuns) : null) { Users = 1 };
            Sessions[key] = entry;
            return (entry.Session, entry.RunGate);
        }
    }

    /// <summary>The number of replicas using each shared session whose key starts with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<int> Users(string prefix) => Select(prefix, e => e.Users);

    /// <summary>The run-gate slots of each shared session whose key starts with <paramref name="prefix"/> (0 when runs are not bounded).</summary>
    public static IReadOnlyList<int> RunSlots(string prefix) => Select(prefix, e => e.RunGate?.Slots ?? 0);

    public static void Release(string key)
    {
        Entry? last = null;
        lock (Gate)
        {
            if (!Sessions.TryGetValue(key, out var entry))
            {
                return;
            }

            if (--entry.Users == 0)
            {
                Sessions.Remove(key);
                last = entry;
            }
        }

        last?.Session.Dispose();
        last?.RunGate?.Dispose();
    }

    private static IReadOnlyList<int> Select(string prefix, Func<Entry, int> value)
    {
        lock (Gate)
        {
            return [.. Sessions.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(s => value(s.Value))];
        }
    }

    /// <summary>Counts one more user of an existing entry. Called under the lock.</summary>
    private static (InferenceSession, RunGate?)? TryJoin(string key)
    {
        if (!Sessions.TryGetValue(key, out var entry))
        {
            return null;
        }

        entry.Users++;
        return (entry.Session, entry.RunGate);
    }

    private sealed class Entry(InferenceSession session, RunGate? runGate)
    {
        public InferenceSession Session { get; } = session;

        public RunGate? RunGate { get; } = runGate;

        public int Users { get; set; }
    }
}
