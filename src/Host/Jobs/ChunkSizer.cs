namespace ModelActors.Host.Jobs;

/// <summary>
/// How many items a job's next chunk takes: <see cref="JobOptions.ChunkSize"/> at first; twice as many after a chunk
/// of the current size came back within <see cref="JobOptions.ChunkTime"/> (up to <see cref="JobOptions.MaxChunkSize"/>),
/// half as many after one took over four times that (down to <see cref="JobOptions.ChunkSize"/>). A fast model's job
/// then writes few, large journal events; a slow model's job keeps small chunks, so it reports progress often and a
/// crash loses little work. A call that passed the model's timeout halves them below that, down to one item, then
/// halves the calls run at once: the job's calls then fit the model's deadline.
/// </summary>
internal sealed class ChunkSizer(JobOptions options)
{
    private int _least = Math.Max(1, options.ChunkSize);

    /// <summary>The size of the next chunk.</summary>
    public int Size { get; private set; } = Math.Max(1, options.ChunkSize);

    /// <summary>How many calls of the job may run at once: <see cref="JobOptions.ChunksInFlight"/>, fewer after timeouts of one-item calls.</summary>
    public int InFlight { get; private set; } = Math.Max(1, options.ChunksInFlight);

    /// <summary>A chunk of <paramref name="count"/> items came back after <paramref name="took"/>.</summary>
    public void Took(int count, TimeSpan took)
    {
        if (count < Size)
        {
            return; // started before the last change, or the job's shorter last chunk: it says nothing about this size
        }

        if (took <= options.ChunkTime)
        {
            Size = Math.Max(_least, Math.Min(Size * 2, options.MaxChunkSize));
        }
        else if (took > options.ChunkTime * 4)
        {
            Size = Math.Max(_least, Size / 2);
        }
    }

    /// <summary>
    /// A call of <paramref name="count"/> items of the job passed the model's timeout: calls take half as many items from
    /// now on (below <see cref="JobOptions.ChunkSize"/>, down to one; fast chunks may still grow them again), and once
    /// they take one, half as many run at once (down to one). A call larger than the current size was started before
    /// the last change and says nothing more.
    /// </summary>
    public void TimedOut(int count)
    {
        if (count > Size)
        {
            return;
        }

        if (Size > 1)
        {
            Size = Math.Max(1, Size / 2);
            _least = Math.Min(_least, Size);
        }
        else
        {
            InFlight = Math.Max(1, InFlight / 2);
        }
    }
}
