namespace ModelActors.Onnx;

/// <summary>One <see cref="InferenceSession"/> per model configuration, shared by its replicas (concurrent Run is safe) and released with the last of them.</summary>
internal static class SharedSessions
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (InferenceSession Session, int Users)> Sessions = new(StringComparer.Ordinal);

    public static InferenceSession Acquire(string key, Func<InferenceSession> create)
    {
        lock (Gate)
        {
            if (Sessions.TryGetValue(key, out var entry))
            {
                Sessions[key] = (entry.Session, entry.Users + 1);
                return entry.Session;
            }
        }

        // Loading runs outside the lock; a racing replica's duplicate is disposed.
        var session = create();
        lock (Gate)
        {
            if (Sessions.TryGetValue(key, out var entry))
            {
                Sessions[key] = (entry.Session, entry.Users + 1);
                session.Dispose();
                return entry.Session;
            }

            Sessions[key] = (session, 1);
            return session;
        }
    }

    /// <summary>The number of replicas using each shared session whose key starts with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<int> Users(string prefix)
    {
        lock (Gate)
        {
            return [.. Sessions.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(s => s.Value.Users)];
        }
    }

    public static void Release(string key)
    {
        InferenceSession? last = null;
        lock (Gate)
        {
            if (!Sessions.TryGetValue(key, out var entry))
            {
                return;
            }

            if (entry.Users == 1)
            {
                Sessions.Remove(key);
                last = entry.Session;
            }
            else
            {
                Sessions[key] = (entry.Session, entry.Users - 1);
            }
        }

        last?.Dispose();
    }
}
