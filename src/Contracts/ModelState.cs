namespace ModelActors;

/// <summary>Where a model is in its life.</summary>
public enum ModelState
{
    /// <summary>Registered, not loaded yet (lazy loading loads it on its first request).</summary>
    NotLoaded,

    /// <summary>Its replicas are loading (or retrying a failed load with backoff).</summary>
    Loading,

    /// <summary>Serving requests.</summary>
    Ready,

    /// <summary>Loading failed after its restarts ran out; the next request tries again.</summary>
    Failed,

    /// <summary>Draining: accepted requests finish, new ones are refused.</summary>
    Stopping,

    /// <summary>Stopped.</summary>
    Stopped,
}
