namespace ModelActors.Host.Jobs;

/// <summary>The <c>Server:Jobs</c> section: the journal jobs are kept in, and how they run.</summary>
public sealed class JobOptions
{
    /// <summary>
    /// The journal: <c>sqlite</c> (default: <c>jobs.db</c> in <see cref="Server.ServerOptions.DataDirectory"/>, nothing to
    /// install), <c>postgresql</c> (<see cref="ConnectionString"/> required) or <c>memory</c> (jobs do not survive a
    /// restart; for tests).
    /// </summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>
    /// The database's ADO.NET connection string. For <c>sqlite</c> it replaces the default file; for
    /// <c>postgresql</c> it is required (e.g. <c>Host=db;Database=modelactors;Username=modelactors;Password=…</c>).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The linq2db provider name; default <c>SQLite.MS</c> for sqlite and <c>PostgreSQL.15</c> for postgresql.</summary>
    public string? ProviderName { get; set; }

    /// <summary>
    /// This server's name in the journal: its job manager's persistence id is <c>job-manager-{ServerId}</c>, and a server
    /// resumes the jobs its manager admitted. Servers that share one database (PostgreSQL) must each have their own
    /// (e.g. the pod name of a StatefulSet); a server restarted under the same id resumes its jobs. Default <c>server</c>.
    /// </summary>
    public string ServerId { get; set; } = "server";

    /// <summary>
    /// How many items a job runs at once and writes to the journal as one event, at first and at least. Default 128.
    /// While its chunks come back within <see cref="ChunkTime"/> a job doubles them, up to <see cref="MaxChunkSize"/>
    /// (a fast model's job writes fewer, larger events); a chunk slower than four times that halves them again, so a
    /// slow model's job reports progress and keeps what a crash loses small. A call that passes the model's timeout halves
    /// them below this, down to one item.
    /// </summary>
    public int ChunkSize { get; set; } = 128;

    /// <summary>The largest chunk a job grows to (see <see cref="ChunkSize"/>); at most <see cref="ChunkSize"/> keeps chunks fixed. Default 1024.</summary>
    public int MaxChunkSize { get; set; } = 1024;

    /// <summary>A chunk answered within this time makes the next ones twice as large (see <see cref="ChunkSize"/>). Default 100 ms.</summary>
    public TimeSpan ChunkTime { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How many chunks of a job run at once (their answers are written in input order while later chunks run, several
    /// chunks to a write when the journal is slower than the model). A job starts another chunk only while its model's
    /// queue stays under half full with it (so jobs leave room to other callers and are not refused); one chunk always
    /// runs. Default 4.
    /// </summary>
    public int ChunksInFlight { get; set; } = 4;

    /// <summary>
    /// How many jobs run at once. A job admitted beyond that is kept (its items written, answered 202) with the status
    /// <c>queued</c>, and starts, oldest first, when a running one ends; after a restart the unfinished jobs resume the
    /// same way, not all at once. Default 8.
    /// </summary>
    public int MaxRunning { get; set; } = 8;

    /// <summary>How long the actor of an ended job, or of one queued to run, stays in memory without being asked for; then it stops, and is recovered from the journal when asked for again or let run. A running job's never stops. Default 1 minute.</summary>
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A job saves a snapshot of its whole state every this many events (its recovery then starts there); a snapshot costs as much as the whole state and holds up the journal while it is written, so rarely: every 640,000 to 5,120,000 items (128 to 1024 items an event). Default 5000.</summary>
    public int SnapshotEvery { get; set; } = 5000;
}
