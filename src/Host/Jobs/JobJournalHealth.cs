namespace ModelActors.Host.Jobs;

/// <summary>
/// Whether the jobs' journal works, as the job manager last found it: set when it fails to read (recover) or write its
/// journal, cleared when it has recovered. While it is failing, the job routes answer 503 at once naming the failure,
/// instead of each waiting for a manager that is still retrying (a recovery that hangs costs its whole timeout).
/// </summary>
internal sealed class JobJournalHealth
{
    private volatile string? _error;

    /// <summary>The last failure while the journal fails, or null when it works (or has not failed yet).</summary>
    public string? Error => _error;

    /// <summary>The manager could not read or write its journal.</summary>
    public void Failed(string reason) => _error = reason;

    /// <summary>The manager has read its journal.</summary>
    public void Recovered() => _error = null;
}
