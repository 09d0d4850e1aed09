namespace ModelActors.Models;

/// <summary>What happened to work handed to a model's replicas.</summary>
internal enum PostResult
{
    /// <summary>The work is queued and will be processed (or failed with a shutdown error on an abrupt stop).</summary>
    Accepted,

    /// <summary>The model's queue is full; the work was not queued.</summary>
    Full,

    /// <summary>The model no longer accepts work (it is stopping or stopped).</summary>
    Closed,
}
