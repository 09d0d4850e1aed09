using System.Text.Json;
using ModelActors.Host.V2;
using ModelActors.Onnx;

namespace ModelActors.Host.Jobs;

/// <summary>
/// Runs a job's items through its model, a chunk at a time: typed items (JSON values of the model's item type) or
/// v2 inference requests for a tensor model. A typed chunk is one batch call (item by item only after a model failure),
/// a tensor chunk one request per item; either way the items batch with each other and with any traffic, and fail alone.
/// </summary>
internal abstract class JobRunner(string model)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public string Model { get; } = model;

    /// <summary>The runner for <paramref name="submitted"/>'s model and kind.</summary>
    /// <exception cref="ModelNotFoundException">The model is not served (any more).</exception>
    /// <param name="library">The library.</param>
    /// <param name="submitted">The job.</param>
    /// <param name="served">The library model serving a model now (a repository model's newest version, which a reload changes): asked again for every chunk of a tensor job.</param>
    public static JobRunner For(ModelLibrary library, JobSubmitted submitted, Func<string, string> served)
    {
        var description = library.Describe(served(submitted.Model));
        return submitted.Kind == JobKind.Tensor
            ? new Tensor(library, submitted.Model, JsonDocument.Parse(submitted.Items).RootElement, served)
            : (JobRunner)Activator.CreateInstance(typeof(Typed<,>).MakeGenericType(description.ItemType, description.ResultType), library, description.Name, submitted.Items)!;
    }

    /// <summary>
    /// Runs items <paramref name="start"/>…<paramref name="start"/> + <paramref name="count"/> − 1. An item's answer is
    /// null when it did not run for a reason that is not its own (the model is overloaded, stopping, unreachable or not
    /// loaded, or the job was cancelled), or when its call passed the model's timeout (then <see cref="ChunkAnswers.Timeout"/>
    /// says so, and the job decides: run it again in smaller calls, or fail it): it is never recorded as failed here.
    /// </summary>
    public abstract Task<ChunkAnswers> RunAsync(int start, int count, CancellationToken cancellationToken);

    /// <summary>The places in the model's queue a chunk of <paramref name="count"/> items takes.</summary>
    public abstract int QueueSlots(int count);

    /// <summary>Whether <paramref name="exception"/> says the item should run again later rather than fail.</summary>
    /// <remarks>
    /// A <see cref="ModelLoadException"/> is not: the model failed to load after its retries, so its items fail with
    /// that error (run again, each would only set off another full load, and the job would never end).
    /// </remarks>
    protected static bool IsTransient(Exception exception) =>
        exception is OperationCanceledException or ModelStoppedException or ModelOverloadedException or ModelUnavailableException;

    protected JobItem Failure(Exception exception) => new(null, Describe(exception));

    /// <summary>
    /// When the model serving now has failed to load, every item of the chunk fails with that error at once, without a
    /// call (as its requests are answered 503): a call would set off another full load, with its retries, for every chunk.
    /// </summary>
    protected static ChunkAnswers? FailedToLoad(ModelLibrary library, string served, int count)
    {
        try
        {
            return HttpErrors.FailedToLoadMessage(library.Describe(served)) is { } message
                ? new ChunkAnswers([.. Enumerable.Repeat(new JobItem(null, message), count)], null)
                : null;
        }
        catch (ModelNotFoundException)
        {
            return null; // gone: the call says so
        }
    }

    /// <summary>The error recorded for an item that failed with <paramref name="exception"/> (naming the model).</summary>
    protected string Describe(Exception exception) => HttpErrors.Describe(exception, Model).Message;

    private sealed class Typed<TItem, TResult> : JobRunner
    {
        private readonly IModelClient<TItem, TResult> _client;

        /// <summary>
        /// Every item, read from the submitted bytes in one pass (no document kept: a job of 200,000 small items read
        /// in a few milliseconds, not the tens a document and its elements take, and a fraction of the memory).
        /// </summary>
        private readonly List<TItem>? _all;

        /// <summary>Only when the items do not all read (a change of the model's types since the submit): each read alone, so only the bad ones fail.</summary>
        private readonly JsonElement[]? _each;

        private readonly ModelLibrary _library;

        public Typed(ModelLibrary library, string model, byte[] items)
            : base(model)
        {
            _library = library;
            _client = library.Get<TItem, TResult>(model);
            try
            {
                _all = JsonSerializer.Deserialize<List<TItem>>(items, Json);
            }
            catch (JsonException)
            {
            }

            if (_all is null)
            {
                // The document lives as long as the runner: its elements are views into it, not copies of each item.
                _each = [.. JsonDocument.Parse(items).RootElement.EnumerateArray()];
            }
        }

        /// <summary>One: a chunk is one batch call (item by item only when it failed).</summary>
        public override int QueueSlots(int count) => 1;

        public override async Task<ChunkAnswers> RunAsync(int start, int count, CancellationToken cancellationToken)
        {
            if (FailedToLoad(_library, Model, count) is { } failed)
            {
                return failed;
            }

            var answers = new JobItem?[count];
            string? timeout = null;
            var indices = new List<int>(count);
            var values = new List<TItem>(count);
            for (var i = 0; i < count; i++)
            {
                try
                {
                    values.Add(_all is not null ? _all[start + i] : _each![start + i].Deserialize<TItem>(Json)!);
                    indices.Add(i);
                }
                catch (JsonException exception)
                {
                    answers[i] = new JobItem(null, $"Model '{Model}': item {start + i} is not a {typeof(TItem).Name}: {exception.Message}");
                }
            }

            var outcomes = await OutcomesAsync(values, cancellationToken).ConfigureAwait(false);

            // The chunk's results as one JSON document (each item's result a view into it): one parse per chunk, not per item.
            var results = new List<TResult?>(outcomes.Count);
            results.AddRange(outcomes.Select(o => o.IsSuccess ? o.Value : default));
            var json = JsonSerializer.SerializeToElement(results, Json);
            var k = 0;
            foreach (var result in json.EnumerateArray())
            {
                var index = indices[k];
                var outcome = outcomes[k++];
                if (outcome.IsSuccess)
                {
                    answers[index] = new JobItem(result, null);
                }
                else if (outcome.Exception is TimeoutException)
                {
                    timeout ??= Describe(outcome.Exception); // left null: the job decides (see ChunkAnswers.Timeout)
                }
                else
                {
                    answers[index] = IsTransient(outcome.Exception!) ? null : Failure(outcome.Exception!);
                }
            }

            return new ChunkAnswers(answers, timeout);
        }

        /// <summary>
        /// The chunk's outcomes: first as one batch call (the model takes the chunk's items as one piece of work, split
        /// into its batches and merged with other traffic: a tenth of the cost of a request per item), and only when that
        /// fails for a reason not the whole chunk's (a model failure) item by item, so that an item fails alone. Refused
        /// as a whole (overloaded, stopping, not loaded, cancelled) or past the model's timeout (too many items for its
        /// deadline: item by item they would queue behind each other and time out too), the chunk is answered as such,
        /// and runs again later (after a timeout, in smaller calls).
        /// </summary>
        private async Task<IReadOnlyList<Outcome<TResult>>> OutcomesAsync(List<TItem> values, CancellationToken cancellationToken)
        {
            try
            {
                var results = await _client.PredictBatchAsync(values, values.Count, cancellationToken).ConfigureAwait(false);
                if (results.Count == values.Count)
                {
                    return [.. results.Select(Outcome<TResult>.Success)];
                }
            }
            catch (Exception exception) when (IsTransient(exception) || exception is TimeoutException)
            {
                return [.. values.Select(_ => Outcome<TResult>.Failure(exception))];
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Some item failed: find which, each item its own request.
            }

            return await _client.PredictOutcomesAsync(values, values.Count, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Tensor(ModelLibrary library, string model, JsonElement items, Func<string, string> served) : JobRunner(model)
    {
        /// <summary>The items: views into the submitted JSON array (the document lives as long as the runner).</summary>
        private readonly JsonElement[] _items = [.. items.EnumerateArray()];

        /// <summary>One per item: each is its own request.</summary>
        public override int QueueSlots(int count) => count;

        public override async Task<ChunkAnswers> RunAsync(int start, int count, CancellationToken cancellationToken)
        {
            if (FailedToLoad(library, served(Model), count) is { } failed)
            {
                return failed;
            }

            var calls = new Task<(JobItem? Item, string? Timeout)>[count];
            for (var i = 0; i < count; i++)
            {
                calls[i] = RunOneAsync(start + i, cancellationToken);
            }

            var answered = await Task.WhenAll(calls).ConfigureAwait(false);
            return new ChunkAnswers([.. answered.Select(a => a.Item)], answered.Select(a => a.Timeout).FirstOrDefault(t => t is not null));
        }

        /// <summary>Item <paramref name="index"/>'s answer, or null and why it timed out (see <see cref="ChunkAnswers.Timeout"/>).</summary>
        private async Task<(JobItem? Item, string? Timeout)> RunOneAsync(int index, CancellationToken cancellationToken)
        {
            InferRequest request;
            try
            {
                request = JobItems.ReadTensorRequest(_items[index], Model, library.GetTensorSignature(served(Model)), index);
            }
            catch (InferRequestException exception)
            {
                return (new JobItem(null, exception.Message), null);
            }

            try
            {
                var outputs = await library.Get<OnnxTensors, OnnxTensors>(served(Model)).PredictAsync(request.Inputs, cancellationToken).ConfigureAwait(false);
                var problem = V2Signature.MissingOutput(Model, request.Outputs, outputs) ?? InferResponse.NotText(Model, request, outputs);
                if (problem is not null)
                {
                    return (new JobItem(null, problem), null);
                }

                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    new InferResponse(Model, null, request, outputs).Write(writer);
                }

                using var document = JsonDocument.Parse(buffer.WrittenMemory);
                return (new JobItem(document.RootElement.Clone(), null), null);
            }
            catch (TimeoutException exception)
            {
                return (null, Describe(exception));
            }
            catch (Exception exception)
            {
                return (IsTransient(exception) ? null : Failure(exception), null);
            }
        }
    }
}

/// <summary>
/// A call's answers (null: run again later) and, when some of its items passed the model's timeout, the error to record
/// for them should the job not run them again (they timed out alone).
/// </summary>
/// <param name="Items">One answer per item, in order; null for an item to run again or one that timed out.</param>
/// <param name="Timeout">The timeout's message when an item timed out; null otherwise.</param>
internal sealed record ChunkAnswers(JobItem?[] Items, string? Timeout);
