namespace ModelActors.Host.Models;

/// <summary>Counts the words of a text by asking its <c>tokens</c> dependency: composition in the default configuration.</summary>
public sealed class WordCountModel : AsyncModel<string, int>
{
    private IModelClient<string, string[]> _tokens = null!;

    /// <inheritdoc />
    protected override ValueTask LoadAsync(ModelContext context, CancellationToken cancellationToken)
    {
        _tokens = context.Dependency<string, string[]>("tokens");
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async ValueTask<int> PredictAsync(string item, CancellationToken cancellationToken) =>
        (await _tokens.PredictAsync(item, cancellationToken).ConfigureAwait(false)).Length;
}
