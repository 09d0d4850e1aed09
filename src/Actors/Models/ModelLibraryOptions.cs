namespace ModelActors;

/// <summary>Library-wide settings, from code or the <c>ModelActors</c> configuration section.</summary>
public sealed class ModelLibraryOptions
{
    /// <summary>The models to load at start (with their dependencies). <value>The default is empty: every registered model.</value></summary>
    public List<string> RequiredModels { get; set; } = [];

    /// <summary>When true nothing loads at start; each model loads on its first request. <value>The default value is false.</value></summary>
    public bool LazyLoading { get; set; }

    /// <summary>The request timeout of models that set none (finite: zero and negative are rejected). <value>The default value is 30 seconds.</value></summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The queue capacity of models that set none. <value>The default value is 1024.</value></summary>
    public int DefaultQueueCapacity { get; set; } = 1024;

    /// <summary>Load retries after a failed load, before the model is reported failed. <value>The default value is 3.</value></summary>
    public int LoadRetries { get; set; } = 3;

    /// <summary>The delay before the first load retry; it doubles on each retry. <value>The default value is 200 ms.</value></summary>
    public TimeSpan LoadMinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between load retries. <value>The default value is 10 seconds.</value></summary>
    public TimeSpan LoadMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The name of the library's actor under <c>/user</c>; change it to host two libraries in one actor system. <value>The default value is <c>model-actors</c>.</value></summary>
    public string ActorName { get; set; } = "model-actors";

    /// <summary>How long stopping waits for accepted requests to finish before failing the rest. <value>The default value is 30 seconds.</value></summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where models' replicas run when the library spans several nodes (ModelActors.Cluster sets it); null: every model
    /// runs here. <value>The default value is null.</value>
    /// </summary>
    public IModelPlacement? Placement { get; set; }
}
