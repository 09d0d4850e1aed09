namespace ModelActors.Host.Jobs;

/// <summary>
/// A job's answers not yet written, kept by the first item of each run of them: they are written in input order as each
/// run becomes the next one, up to its first item that could not run now (a null answer, for a reason not its own).
/// Those items, and only they, run again later; the answers around them wait. The job actor's bookkeeping, without the
/// actor: it says what to write and what to run again, the actor does it.
/// </summary>
internal sealed class JobAnswers
{
    private readonly Dictionary<int, JobItem?[]> _runs = [];

    /// <summary>Runs whose unanswered items wait to run again or are running again, with how many calls are out.</summary>
    private readonly Dictionary<int, int> _retrying = [];

    /// <summary>The first item whose answer is not yet written (or on its way to the journal).</summary>
    public int Written { get; private set; }

    /// <summary>Whether items wait to run again (no new chunk starts meanwhile).</summary>
    public bool Retrying => _retrying.Count > 0;

    /// <summary>Starts over at item <paramref name="written"/>, the first without a written answer.</summary>
    public void Reset(int written)
    {
        Written = written;
        _runs.Clear();
        _retrying.Clear();
    }

    /// <summary>
    /// Takes a call's answers for items <paramref name="start"/> + <paramref name="offset"/>…: a new chunk's (true), or
    /// the unanswered items of the run at <paramref name="start"/> run again (false), which fill its gaps.
    /// </summary>
    public bool Take(int start, int offset, JobItem?[] items)
    {
        if (offset == 0 && !_retrying.ContainsKey(start))
        {
            _runs[start] = items;
            return true;
        }

        var answers = _runs[start];
        for (var i = 0; i < items.Length; i++)
        {
            answers[offset + i] ??= items[i];
        }

        if (--_retrying[start] == 0)
        {
            _retrying.Remove(start);
        }

        return false;
    }

    /// <summary>The answered items that come next in input order, as the events to write (up to the first that must run again).</summary>
    public List<JobItemsDone> TakeWritable()
    {
        var writable = new List<JobItemsDone>();
        while (!_retrying.ContainsKey(Written) && _runs.Remove(Written, out var items))
        {
            var answered = 0;
            while (answered < items.Length && items[answered] is not null)
            {
                answered++;
            }

            if (answered > 0)
            {
                writable.Add(new JobItemsDone(Written, [.. items.Take(answered).Select(i => i!)]));
                Written += answered;
            }

            if (answered < items.Length)
            {
                _runs[Written] = items[answered..]; // the rest, from the first item to run again
                break;
            }
        }

        return writable;
    }

    /// <summary>The runs with items to run again that wait for no retry yet: each is marked, and the caller runs it again later.</summary>
    public List<int> NewRetries()
    {
        var retries = new List<int>();
        foreach (var (start, items) in _runs)
        {
            if (!_retrying.ContainsKey(start) && Array.Exists(items, item => item is null))
            {
                _retrying[start] = 0;
                retries.Add(start);
            }
        }

        return retries;
    }

    /// <summary>
    /// The stretches of unanswered items of the run at <paramref name="start"/>, each to run again as one call of at most
    /// <paramref name="most"/> items (counted as out until <see cref="Take"/> has its answers); none, and the run no
    /// longer waits, when it has nothing to run.
    /// </summary>
    public List<(int Offset, int Count)> RetryStretches(int start, int most = int.MaxValue)
    {
        var stretches = new List<(int Offset, int Count)>();
        if (_runs.TryGetValue(start, out var items))
        {
            for (var i = 0; i < items.Length; i++)
            {
                if (items[i] is not null)
                {
                    continue;
                }

                var from = i;
                while (i < items.Length && items[i] is null && i - from < most)
                {
                    i++;
                }

                stretches.Add((from, i - from));
                i--; // the loop's step looks at the item that ended this stretch (answered, or the next stretch's first)
            }
        }

        if (stretches.Count == 0)
        {
            _retrying.Remove(start); // never block the job on a run with nothing to run again
        }
        else
        {
            _retrying[start] = stretches.Count;
        }

        return stretches;
    }
}
