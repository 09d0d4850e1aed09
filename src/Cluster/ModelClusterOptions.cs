namespace ModelActors.Cluster;

/// <summary>
/// One node of a ModelActors cluster: where it listens, which nodes it joins through, and which models it hosts (the
/// <c>ModelActors:Cluster</c> configuration section; <c>serve --cluster-*</c> options). Every node registers the same
/// models; a node hosts replicas only of the models <see cref="Models"/> names and reaches the others on the nodes that
/// host them.
/// </summary>
public sealed class ModelClusterOptions
{
    /// <summary>
    /// Whether the node joins a cluster. Off: one process, as without this package. <value>The default value is false.</value>
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>The address Akka.Remote binds to. <value>The default value is <c>0.0.0.0</c>.</value></summary>
    public string Hostname { get; set; } = "0.0.0.0";

    /// <summary>
    /// The host name other nodes reach this one by (a pod's stable DNS name on Kubernetes); the bind address when unset,
    /// which must then be reachable (not <c>0.0.0.0</c>). <value>The default value is null.</value>
    /// </summary>
    public string? PublicHostname { get; set; }

    /// <summary>The port Akka.Remote listens on (0: any free port). <value>The default value is 4053.</value></summary>
    public int Port { get; set; } = 4053;

    /// <summary>
    /// The nodes a starting node contacts to join (<c>akka.tcp://{system}@{host}:{port}</c>); the first one starts the
    /// cluster when it finds nobody. Empty: the node joins only when told (<c>Cluster.Get(system).Join(address)</c>).
    /// </summary>
    public List<string> SeedNodes { get; set; } = [];

    /// <summary>
    /// The models this node hosts replicas of (its roles are <c>model:{name}</c>); <c>*</c> hosts every registered model,
    /// and so does null (unset). Empty (or only empty names): a node that only calls models hosted elsewhere (a front end).
    /// <value>The default value is null: every model.</value>
    /// </summary>
    /// <remarks>Null rather than <c>["*"]</c> by default: configuration binding adds to a list it finds, so a configured list would join the default's <c>*</c>.</remarks>
    public List<string>? Models { get; set; }

    /// <summary>Further Akka.Cluster roles of this node (for example <c>http</c> for a node that serves HTTP and gRPC).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>
    /// The largest message that crosses between nodes, in bytes (Akka.Remote's <c>maximum-frame-size</c>; its send and
    /// receive buffers follow). A request or reply over it fails at once with <see cref="ModelMessageTooLargeException"/>.
    /// <value>The default value is 32 MiB.</value>
    /// </summary>
    public long MaximumFrameSize { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Whether a node that hosts a model serves its own clients' requests for it with its own replicas (true), or spreads
    /// them round robin over every node that hosts the model, itself included (false). Requests from actors to the model's
    /// actor on this node (<c>RouterOf</c>) are served here either way. <value>The default value is true.</value>
    /// </summary>
    public bool PreferLocal { get; set; } = true;

    /// <summary>
    /// Models that may run twice for one request (no side effects): when the node running such a request becomes
    /// unreachable or is downed, the request goes once to another node instead of failing. Off for every model unless
    /// named here.
    /// </summary>
    public List<string> IdempotentModels { get; set; } = [];

    /// <summary>
    /// How long a request to another node is waited for when it carries no deadline of its own (requests from ModelActors'
    /// clients always carry their caller's). <value>The default value is 30 seconds.</value>
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The role of a node that hosts replicas of <paramref name="model"/>.</summary>
    /// <param name="model">The model's name.</param>
    /// <returns><c>model:{model}</c>.</returns>
    public static string RoleOf(string model) => "model:" + model;

    /// <summary>Whether this node hosts replicas of <paramref name="model"/>.</summary>
    /// <param name="model">The model's name.</param>
    /// <returns>True when <see cref="Models"/> names it, holds <c>*</c>, or is null.</returns>
    public bool Hosts(string model) => Models is null || Models.Contains("*") || Models.Contains(model);

    /// <summary>Every role of this node for the models of <paramref name="registered"/> it hosts, with <see cref="Roles"/>.</summary>
    /// <param name="registered">The names of the registered models.</param>
    /// <returns>The roles.</returns>
    public IReadOnlyList<string> RolesFor(IEnumerable<string> registered) =>
        [.. registered.Where(Hosts).Select(RoleOf).Concat(Roles).Distinct(StringComparer.Ordinal)];
}
