using System.Collections.Concurrent;

namespace ModelActors.Host;

/// <summary>Calls a model whose item and result types are known only at run time (from its description), through its typed client.</summary>
internal abstract class ModelInvoker
{
    private static readonly ConcurrentDictionary<(Type, Type), ModelInvoker> Cache = new();

    /// <summary>The invoker for models of these types.</summary>
    public static ModelInvoker For(Type itemType, Type resultType) =>
        Cache.GetOrAdd((itemType, resultType), static t => (ModelInvoker)Activator.CreateInstance(typeof(Typed<,>).MakeGenericType(t.Item1, t.Item2))!);

    /// <summary>The type a batch body deserializes to: a list of items.</summary>
    public abstract Type BatchType { get; }

    public abstract Task<object?> PredictAsync(ModelLibrary library, string model, object item, CancellationToken cancellationToken);

    public abstract Task<object> PredictBatchAsync(ModelLibrary library, string model, object items, CancellationToken cancellationToken);

    private sealed class Typed<TItem, TResult> : ModelInvoker
    {
        public override Type BatchType => typeof(List<TItem>);

        public override async Task<object?> PredictAsync(ModelLibrary library, string model, object item, CancellationToken cancellationToken) =>
            await library.Get<TItem, TResult>(model).PredictAsync((TItem)item, cancellationToken).ConfigureAwait(false);

        public override async Task<object> PredictBatchAsync(ModelLibrary library, string model, object items, CancellationToken cancellationToken) =>
            await library.Get<TItem, TResult>(model).PredictBatchAsync((List<TItem>)items, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
