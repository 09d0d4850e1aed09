using ModelActors.Host.Triton.Config;

namespace ModelActors.Host.Triton;

/// <summary>Load (or reload) a repository model, with Triton's <c>config</c> override when given; answered with <see cref="RepositoryAnswer"/>.</summary>
internal sealed record LoadRepositoryModel(string Model, ModelConfig? Config);

/// <summary>Unload a repository model (and the ensembles using it when <paramref name="Dependents"/>); answered with <see cref="RepositoryAnswer"/>.</summary>
internal sealed record UnloadRepositoryModel(string Model, bool Dependents);

/// <summary>The outcome of a load or unload: null error when it succeeded.</summary>
internal sealed record RepositoryAnswer(string? Error);

/// <summary>Scan the repository for models added, changed or removed (poll mode's timer).</summary>
internal sealed record PollRepository
{
    public static readonly PollRepository Instance = new();
}

/// <summary>Drain and remove the library models of a replaced version set, once the grace after the switch has passed.</summary>
internal sealed record RetireModels(IReadOnlyList<string> Names);

/// <summary>One row of the repository index (Triton's <c>RepositoryIndex</c>): a model version, its state and why it is not ready.</summary>
/// <param name="Name">The model.</param>
/// <param name="Version">The version ("" for a model without versions or not loaded).</param>
/// <param name="State">READY, LOADING, UNLOADING or UNAVAILABLE.</param>
/// <param name="Reason">Why it is not ready ("" when it is).</param>
public sealed record RepositoryIndexEntry(string Name, string Version, string State, string Reason);
