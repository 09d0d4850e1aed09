using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using global::Grpc.Core;
using ModelActors.Host.Grpc.Jobs;
using ModelActors.Host.Jobs;
using ModelActors.Host.Server;
using ModelActors.Onnx;

namespace ModelActors.Host.Grpc;

/// <summary>
/// The durable jobs over gRPC (<c>modelactors.jobs.Jobs</c>, jobs.proto), on the inference service's port: the same
/// jobs, journal, limits and errors as the HTTP routes under <c>/jobs</c>.
/// </summary>
internal sealed class JobsGrpcService(ModelLibrary library, Server.ModelVersions versions, JobService jobs, ServerReadiness readiness, IHostApplicationLifetime lifetime) : global::ModelActors.Host.Grpc.Jobs.Jobs.JobsBase
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    /// <inheritdoc />
    public override async Task<Job> Submit(SubmitJobRequest request, ServerCallContext context)
    {
        var model = request.Model;
        if (ModelLookup.Problem(library, versions, model, null, out var description) is { } notFound)
        {
            throw GrpcErrors.Error(notFound.Status, notFound.Message);
        }

        if (readiness.Stopping)
        {
            throw GrpcErrors.Error(StatusCodes.Status503ServiceUnavailable, JobTexts.Stopping(model));
        }

        if (HttpErrors.FailedToLoadMessage(description) is { } failed)
        {
            throw GrpcErrors.Error(StatusCodes.Status503ServiceUnavailable, failed);
        }

        (byte[] Items, int Count, string Kind) items;
        try
        {
            items = request.Requests.Count > 0
                ? request.ItemsJson.IsEmpty
                    ? (TensorItems(description, request), request.Requests.Count, JobKind.Tensor) // checked as they were read
                    : throw new JobSubmissionException($"Model '{model}': a job takes items_json or requests, not both.")
                : request.ItemsJson.IsEmpty
                    ? throw new JobSubmissionException($"Model '{model}': a job takes a JSON array of items (items_json) or v2 requests (requests), and the request has none.")
                    : JobItems.Read(library, description, request.ItemsJson.Memory);
        }
        catch (JobSubmissionException exception)
        {
            throw GrpcErrors.Error(StatusCodes.Status400BadRequest, exception.Message);
        }

        var key = request.IdempotencyKey.Length == 0 ? null : request.IdempotencyKey;
        if (JobItems.CheckKey(key, "idempotency_key") is { } badKey)
        {
            throw GrpcErrors.Error(StatusCodes.Status400BadRequest, badKey);
        }

        return await Busy(() => jobs.SubmitAsync(new SubmitJob(model, items.Kind, items.Items, items.Count, key), context.CancellationToken)).ConfigureAwait(false) switch
        {
            JobAccepted accepted => ToProto(accepted.Job),
            JobKeyConflict conflict => throw GrpcErrors.Error(StatusCodes.Status422UnprocessableEntity, conflict.Reason), // AlreadyExists
            JobRefused { Full: true } full => throw GrpcErrors.Error(StatusCodes.Status429TooManyRequests, full.Reason, TimeSpan.FromSeconds(5)), // as HTTP's Retry-After
            JobRefused refused => throw GrpcErrors.Error(StatusCodes.Status503ServiceUnavailable, refused.Reason),
            var other => throw new InvalidOperationException($"The job manager answered {other}."),
        };
    }

    /// <inheritdoc />
    public override async Task<JobWithResults> Get(GetJobRequest request, ServerCallContext context)
    {
        var view = await Busy(() => request.WaitSeconds > 0
            ? jobs.WaitAsync(request.Id, TimeSpan.FromSeconds(Math.Min(request.WaitSeconds, MaxWait.TotalSeconds)), context.CancellationToken)
            : jobs.GetAsync(request.Id, request.Results, context.CancellationToken)).ConfigureAwait(false);
        if (view is null)
        {
            throw NotFound(request.Id);
        }

        var answer = new JobWithResults { Job = ToProto(view.Job) };
        answer.Results.AddRange((view.Results ?? []).Select(ToProto));
        return answer;
    }

    /// <inheritdoc />
    public override async Task Watch(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        if (request.After < 0)
        {
            throw GrpcErrors.Error(StatusCodes.Status400BadRequest, $"Job '{request.Id}': after is {request.After}, not an event id of this job (0 for the start, or the id of the last event seen).");
        }

        using var watching = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        IAsyncEnumerable<JobWatchEvent> events;
        try
        {
            events = await Busy(() => jobs.WatchAsync(request.Id, request.After, request.Items, watching.Token)).ConfigureAwait(false) ?? throw NotFound(request.Id);
        }
        catch (JobEventIdException exception)
        {
            throw GrpcErrors.Error(StatusCodes.Status400BadRequest, exception.Message.Replace("event id", "after", StringComparison.Ordinal));
        }

        try
        {
            await foreach (var watchEvent in events.ConfigureAwait(false))
            {
                var message = new JobEvent { Name = watchEvent.Name, Id = watchEvent.Id ?? 0 };
                switch (watchEvent.Data)
                {
                    case JobProgressView progress:
                        message.Progress = new JobProgress { Done = progress.Done, Total = progress.Total, Succeeded = progress.Succeeded, Failed = progress.Failed };
                        break;
                    case JobResult item:
                        message.Item = ToProto(item);
                        break;
                    case JobSummary end:
                        message.End = ToProto(end);
                        break;
                }

                await responseStream.WriteAsync(message, watching.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (watching.IsCancellationRequested)
        {
            // The client went away (the job runs on), or the server is stopping: the client resumes from its last id.
        }
    }

    /// <inheritdoc />
    public override async Task<Job> Cancel(CancelJobRequest request, ServerCallContext context) =>
        await Busy(() => jobs.CancelAsync(request.Id, "cancelled by its client", context.CancellationToken)).ConfigureAwait(false) is { } view
            ? ToProto(view.Job)
            : throw NotFound(request.Id);

    /// <inheritdoc />
    public override async Task<DeleteJobResponse> Delete(DeleteJobRequest request, ServerCallContext context) =>
        await Busy(() => jobs.DeleteAsync(request.Id, context.CancellationToken)).ConfigureAwait(false) switch
        {
            JobDeleted => new DeleteJobResponse { Id = request.Id },
            JobView running => throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Job '{request.Id}' is {running.Job.Status}: only an ended job is deleted; cancel it first.")),
            _ => throw NotFound(request.Id),
        };

    /// <inheritdoc />
    public override async Task<ListJobsResponse> List(ListJobsRequest request, ServerCallContext context)
    {
        var answer = new ListJobsResponse();
        answer.Jobs.AddRange((await Busy(() => jobs.ListAsync(context.CancellationToken)).ConfigureAwait(false)).Select(ToProto));
        return answer;
    }

    /// <summary>The gRPC requests of a tensor job, checked, as the JSON array of v2 requests a job keeps.</summary>
    private byte[] TensorItems(ModelDescription description, SubmitJobRequest request)
    {
        var model = description.Name;
        if (description.ItemType != typeof(OnnxTensors))
        {
            throw new JobSubmissionException($"Model '{model}' takes {description.ItemType.Name} items, not tensors: give them as items_json.");
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            var index = 0;
            foreach (var item in request.Requests)
            {
                OnnxTensors inputs;
                List<string>? outputs;
                try
                {
                    (inputs, outputs) = GrpcTensors.Read(item, model, library.GetTensorSignature(description.Name));
                }
                catch (V2.InferRequestException exception)
                {
                    throw new JobSubmissionException($"Item {index} of the job: {exception.Message}");
                }

                JobItems.WriteTensorRequest(writer, item.Id, inputs, outputs);
                index++;
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Runs a call to the job manager; no answer in time is Unavailable (as HTTP's 503).</summary>
    private static async Task<T> Busy<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (JobsBusyException exception)
        {
            throw GrpcErrors.Error(StatusCodes.Status503ServiceUnavailable, exception.Message, TimeSpan.FromSeconds(5));
        }
    }

    private static RpcException NotFound(string id) => GrpcErrors.Error(StatusCodes.Status404NotFound, JobTexts.NotFound(id));

    private static Job ToProto(JobSummary job) => new()
    {
        Id = job.Id,
        Model = job.Model,
        Kind = job.Kind,
        Status = job.Status,
        Total = job.Total,
        Succeeded = job.Succeeded,
        Failed = job.Failed,
        Progress = job.Progress,
        Created = Timestamp.FromDateTimeOffset(job.Created),
        Started = job.Started is { } started ? Timestamp.FromDateTimeOffset(started) : null,
        Ended = job.Ended is { } ended ? Timestamp.FromDateTimeOffset(ended) : null,
        CancelReason = job.CancelReason ?? string.Empty,
        Failure = job.Failure ?? string.Empty,
    };

    private static JobItemResult ToProto(JobResult result) => new()
    {
        Index = result.Index,
        ResultJson = result.Result is { } value ? value.GetRawText() : string.Empty,
        Error = result.Error ?? string.Empty,
    };
}
