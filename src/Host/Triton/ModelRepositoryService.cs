using Akka.Actor;
using Microsoft.Extensions.Options;
using ModelActors.Host.Server;
using ModelActors.Host.Triton.Config;

namespace ModelActors.Host.Triton;

/// <summary>
/// The repository extension's service: starts the <see cref="RepositoryActor"/> (in the library's actor system) when the
/// server has a <c>--model-repository</c>, answers the index from what is served, and passes loads and unloads to the
/// actor, refused unless the model control mode is explicit (as Triton).
/// </summary>
public sealed class ModelRepositoryService(ModelLibrary library, ModelVersions versions, RepositoryState state, IOptions<ServerOptions> options, IConfiguration configuration, ILogger<ModelRepositoryService> logger) : IHostedService
{
    /// <summary>The longest a load or unload request waits for its answer (a big model may take minutes to load).</summary>
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(10);

    private IActorRef? _actor;

    /// <summary>The repository's folder, or null when the server has none.</summary>
    public string? Root { get; } = configuration["model-repository"] is { Length: > 0 } root ? Path.GetFullPath(root) : null;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Root is { } root)
        {
            var settings = options.Value;
            _actor = library.ActorSystem.ActorOf(Props.Create(() => new RepositoryActor(library, versions, state, root, settings, logger)), "model-repository");
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _actor?.Tell(PoisonPill.Instance);
        return Task.CompletedTask;
    }

    /// <summary>The index: every model of the repository with its versions' states (only the ready ones when <paramref name="readyOnly"/>).</summary>
    /// <exception cref="RepositoryGoneException">The repository's folder is gone (the models loaded from it still serve).</exception>
    public IReadOnlyList<RepositoryIndexEntry> Index(bool readyOnly) =>
        Root is not { } root ? []
        : Directory.Exists(root) ? state.Index(root, library, versions, readyOnly)
        : throw new RepositoryGoneException(root);

    /// <summary>Loads (or replaces) <paramref name="model"/>; null when it is served, else the error.</summary>
    /// <param name="model">The model (a folder of the repository).</param>
    /// <param name="config">Triton's <c>config</c> override, used instead of the folder's configuration.</param>
    /// <param name="cancellationToken">Stops waiting (the load goes on).</param>
    public Task<string?> LoadAsync(string model, ModelConfig? config, CancellationToken cancellationToken) =>
        AskAsync(model, new LoadRepositoryModel(model, config), "load", cancellationToken);

    /// <summary>Unloads <paramref name="model"/> (and, with <paramref name="dependents"/>, the ensembles using it); null when done, else the error.</summary>
    /// <param name="model">The model.</param>
    /// <param name="dependents">Triton's <c>unload_dependents</c>.</param>
    /// <param name="cancellationToken">Stops waiting (the unload goes on).</param>
    public Task<string?> UnloadAsync(string model, bool dependents, CancellationToken cancellationToken) =>
        AskAsync(model, new UnloadRepositoryModel(model, dependents), "unload", cancellationToken);

    private async Task<string?> AskAsync(string model, object message, string verb, CancellationToken cancellationToken)
    {
        if (_actor is null || Root is null)
        {
            return $"failed to {verb} '{model}': the server has no model repository (start it with --model-repository DIR).";
        }

        if (options.Value.ModelControlMode != ModelControlMode.Explicit)
        {
            return $"failed to {verb} '{model}': explicit model load / unload is not allowed: the server runs with --model-control-mode {options.Value.ModelControlMode.ToString().ToLowerInvariant()} (use explicit).";
        }

        if (model.Length == 0 || model is "." or ".." || model.IndexOfAny(['/', '\\']) >= 0)
        {
            return $"failed to {verb} '{model}': not a model name (a folder of the repository).";
        }

        var answer = await _actor.Ask<RepositoryAnswer>(message, OperationTimeout, cancellationToken).ConfigureAwait(false);
        return answer.Error;
    }
}

/// <summary>The model repository's folder is gone: answered 503 (gRPC UNAVAILABLE); the models loaded from it still serve.</summary>
/// <param name="root">The repository's folder.</param>
internal sealed class RepositoryGoneException(string root)
    : Exception($"The model repository {root} is gone (no such folder): the models loaded from it still serve; restore it to index, load or poll it again.");
