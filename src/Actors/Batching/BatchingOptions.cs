namespace ModelActors.Batching;

/// <summary>Cross-request batching of one model (GroupedWithin in front of its replicas).</summary>
/// <param name="MaxBatchSize">The most items in one model call; 1 means one item per call (no merging).</param>
/// <param name="MaxDelay">How long the oldest waiting item may wait for more to arrive; zero sends what is queued as soon as a replica is free.</param>
internal sealed record BatchingOptions(int MaxBatchSize, TimeSpan MaxDelay);
