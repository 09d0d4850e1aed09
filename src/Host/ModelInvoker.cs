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

    /// <summary>Streams the request's items through the model, writing each result (in input order) as it comes; a failure ends the stream with an error event.</summary>
    public abstract Task StreamAsync(ModelLibrary library, string model, HttpContext context, Streaming.StreamFormat format, System.Text.Json.JsonSerializerOptions json);

    /// <summary>The exception that failed a stream, out of the wrappers a stream stage may put around it.</summary>
    private static Exception Unwrap(Exception exception) =>
        exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : exception;

    private sealed class Typed<TItem, TResult> : ModelInvoker
    {
        public override async Task StreamAsync(ModelLibrary library, string model, HttpContext context, Streaming.StreamFormat format, System.Text.Json.JsonSerializerOptions json)
        {
            var aborted = context.RequestAborted;
            var items = Streaming.StreamItems.Read<TItem>(context.Request, model, json, aborted);
            var index = 0L;
            try
            {
                await foreach (var result in library.Get<TItem, TResult>(model).PredictStream(items, cancellationToken: aborted).ConfigureAwait(false))
                {
                    await format.WriteResultAsync(context.Response, index++, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(result, json), aborted).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (!aborted.IsCancellationRequested)
            {
                await format.WriteErrorAsync(context.Response, HttpErrors.Describe(Unwrap(exception), model).Message, aborted).ConfigureAwait(false);
            }
        }

        public override Type BatchType => typeof(List<TItem>);

        public override async Task<object?> PredictAsync(ModelLibrary library, string model, object item, CancellationToken cancellationToken) =>
            await library.Get<TItem, TResult>(model).PredictAsync((TItem)item, cancellationToken).ConfigureAwait(false);

        public override async Task<object> PredictBatchAsync(ModelLibrary library, string model, object items, CancellationToken cancellationToken) =>
            await library.Get<TItem, TResult>(model).PredictBatchAsync((List<TItem>)items, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
