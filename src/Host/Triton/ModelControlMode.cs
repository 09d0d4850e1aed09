namespace ModelActors.Host.Triton;

/// <summary>How the models of a <c>--model-repository</c> are loaded and unloaded while the server runs (Triton's three modes).</summary>
public enum ModelControlMode
{
    /// <summary>Every model of the repository is loaded at start; the repository API only tells the index.</summary>
    None,

    /// <summary>As <see cref="None"/>, and the repository is scanned every <c>RepositoryPollSecs</c>: models and versions added, changed or removed are loaded, replaced or unloaded.</summary>
    Poll,

    /// <summary>Only the models named by <c>--load-model</c> are loaded at start; the repository API loads and unloads models.</summary>
    Explicit,
}
