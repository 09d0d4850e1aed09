using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.Dispatch;

namespace ModelActors.Actors;

/// <summary>
/// The executor of <see cref="ModelActorsConfig.AsyncDispatcherId"/>: runs work on the .NET thread pool, as Akka's
/// default executor does (a replica's mailbox and its caller's continuation usually run on one pool thread, with no
/// thread woken between them), except while sync-gateway callers are blocked on pool threads
/// (<see cref="BlockedPoolCallers"/>), or have been lately and the pool has a backlog: then on threads of its own, so
/// callers blocked on every pool thread (the sync gateway called from ASP.NET handlers) cannot starve the replicas that
/// would answer them. The backlog matters as much as the count: a replica's run queued behind pool work that will block
/// (callers queued to the pool, the last of whose predecessors just finished a call) waits for the pool to grow, seconds.
/// </summary>
/// <remarks>
/// Our own because none of Akka's executors does both: the default one is the pool alone (starvable), and the
/// fork-join one (dedicated threads) wakes a sleeping thread for every request and every reply (measured here: 6.1 µs
/// per call at one caller against 0.63 µs on the pool). Work queued to the pool just before its threads were all
/// blocked still waits for the pool. After shutdown, work goes to the pool (never dropped, never refused).
/// </remarks>
internal sealed class StarvationSafeExecutor : ExecutorService
{
    private readonly ConcurrentQueue<IRunnable> _own = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly Thread[] _threads;
    private volatile bool _shutdown;

    public StarvationSafeExecutor(string id, int threads)
        : base(id)
    {
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(RunOwn) { IsBackground = true, Name = $"{id}-{i}" };
            _threads[i].Start();
        }
    }

    /// <inheritdoc />
    public override void Execute(IRunnable run)
    {
        if (_shutdown || !BlockedPoolCallers.MayStarve())
        {
            ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: true);
            return;
        }

        _own.Enqueue(run);
        _ready.Release();
        if (_shutdown)
        {
            // Shut down meanwhile: the own threads may have left; whatever is still queued goes to the pool (each once).
            while (_own.TryDequeue(out var left))
            {
                ThreadPool.UnsafeQueueUserWorkItem(left, preferLocal: false);
            }
        }
    }

    /// <inheritdoc />
    public override void Shutdown()
    {
        _shutdown = true;
        _ready.Release(_threads.Length);
    }

    private void RunOwn()
    {
        while (true)
        {
            _ready.Wait();
            if (_own.TryDequeue(out var run))
            {
                run.Run();
            }
            else if (_shutdown)
            {
                return;
            }
        }
    }
}

/// <summary>
/// Counts the sync-gateway callers blocked on .NET thread-pool threads while they wait for a model; while there are any,
/// <see cref="StarvationSafeExecutor"/> keeps async replicas off the pool.
/// </summary>
internal static class BlockedPoolCallers
{
    private static int s_count;

    /// <summary>How long after a caller last blocked on a pool thread a backlog in the pool is taken as a risk.</summary>
    private const long RecentMilliseconds = 10_000;

    private static long s_lastBlocked = long.MinValue / 2;

    /// <summary>Whether any caller is blocked on a pool thread now.</summary>
    public static bool Any => Volatile.Read(ref s_count) > 0;

    /// <summary>
    /// Whether work queued to the pool now could wait behind blocked callers: one is blocked now, or one was lately and
    /// the pool has a backlog (queued callers that will block). Without the sync gateway on pool threads, never: the
    /// pool's backlog is not even read.
    /// </summary>
    public static bool MayStarve() =>
        Volatile.Read(ref s_count) > 0
        || (Environment.TickCount64 - Volatile.Read(ref s_lastBlocked) < RecentMilliseconds && ThreadPool.PendingWorkItemCount > 0);

    /// <summary>Counts this thread as blocked until the scope is disposed, if it is a pool thread.</summary>
    public static Scope Enter()
    {
        var counted = Thread.CurrentThread.IsThreadPoolThread;
        if (counted)
        {
            Interlocked.Increment(ref s_count);
            Volatile.Write(ref s_lastBlocked, Environment.TickCount64);
        }

        return new Scope(counted);
    }

    /// <summary>A blocked caller's count, given back once.</summary>
    public readonly struct Scope(bool counted) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose()
        {
            if (counted)
            {
                Volatile.Write(ref s_lastBlocked, Environment.TickCount64);
                Interlocked.Decrement(ref s_count);
            }
        }
    }
}

/// <summary>
/// Makes <see cref="StarvationSafeExecutor"/>s from a dispatcher's HOCON (<c>executor = "ModelActors.Actors.StarvationSafeExecutorConfigurator, ModelActors"</c>,
/// <c>starvation-safe-executor.thread-count</c>: its own threads).
/// </summary>
internal sealed class StarvationSafeExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    /// <inheritdoc />
    public override ExecutorService Produce(string id) =>
        new StarvationSafeExecutor(id, Math.Max(1, Config.GetInt("starvation-safe-executor.thread-count", 2)));
}
