namespace ModelActors.Host.Server;

/// <summary>The server's own settings: the <c>Server</c> section of the configuration file.</summary>
public sealed class ServerOptions
{
    /// <summary>The largest request body accepted, in bytes; a larger one is answered 413. Default 64 MiB.</summary>
    public long MaxRequestBodySize { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Where the Open Inference Protocol's gRPC service listens (HTTP/2 without TLS, its own port). Default
    /// <c>http://127.0.0.1:5081</c>; empty turns gRPC off. Also <c>--grpc-url</c>.
    /// </summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5081";

    /// <summary>How many jobs (<c>/jobs</c>) the server keeps, running and ended; when full, the oldest ended job makes room, and a new job is refused (429) while all are running. Default 1000.</summary>
    public int MaxJobs { get; set; } = 1000;

    /// <summary>How long an ended job's results are kept (then the job and its journal events are deleted). Default 1 hour.</summary>
    public TimeSpan JobRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The folder for the server's own data: the jobs' SQLite database (<c>jobs.db</c>) by default. Relative paths are
    /// from the working directory; created on first start. One server per folder. Default <c>data</c>.
    /// </summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Paths of .NET assemblies (.dll) whose model classes the configuration may name, beside the built-in ones; their
    /// dependencies are found in the same folder. Default none.
    /// </summary>
    public List<string> ModelAssemblies { get; set; } = [];

    /// <summary>Where and how jobs are kept: the <c>Server:Jobs</c> section.</summary>
    public Jobs.JobOptions Jobs { get; set; } = new();

    /// <summary>Whether <c>/metrics</c> is served (OpenTelemetry's Prometheus exporter; recording costs a little on every request). Default true.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>How often a model that failed to load is tried again in the background (its requests are answered 503 at once meanwhile). Default 30 s; zero turns it off.</summary>
    public TimeSpan RetryFailedModels { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stopping server (SIGTERM, Ctrl+C) stays a lame duck before its listeners stop: readiness is false, every
    /// request is still served and each HTTP/1.x answer closes its connection (<c>Connection: close</c>), long enough for
    /// a load balancer to see readiness fall. Default 5 s; zero stops the listeners at once.
    /// </summary>
    public TimeSpan LameDuck { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many connections may wait in the kernel's accept queue of each listener (Kestrel's default is 512; the kernel
    /// caps it at <c>net.core.somaxconn</c>, 4096 on current Linux). A burst of new connections beyond it is dropped by the
    /// kernel and retried by clients after a second or more. Default 4096.
    /// </summary>
    public int ListenBacklog { get; set; } = 4096;

    /// <summary>How long a stopping server lets in-flight requests finish once its listeners have stopped (after the lame duck). Default 30 s.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>--model-repository</c>'s model control: Triton's <c>--model-control-mode</c>. Default <see cref="Triton.ModelControlMode.None"/>.</summary>
    public Triton.ModelControlMode ModelControlMode { get; set; } = Triton.ModelControlMode.None;

    /// <summary>With <see cref="Triton.ModelControlMode.Poll"/>, seconds between two scans of the repository (Triton's <c>--repository-poll-secs</c>). Default 15.</summary>
    public int RepositoryPollSecs { get; set; } = 15;

    /// <summary>With <see cref="Triton.ModelControlMode.Explicit"/>, the models loaded at start (Triton's <c>--load-model</c>, repeatable; <c>*</c>: all). Default none.</summary>
    public List<string> LoadModels { get; set; } = [];

    /// <summary>
    /// How long a replaced model version keeps accepting requests after the new one took over, before it drains and stops:
    /// a request that found the old one just before the switch is still served by it. Default 1 s.
    /// </summary>
    public TimeSpan ReplacedModelGrace { get; set; } = TimeSpan.FromSeconds(1);
}
