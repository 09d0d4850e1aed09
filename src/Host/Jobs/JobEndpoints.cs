using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelActors.Host.Server;

namespace ModelActors.Host.Jobs;

/// <summary>
/// Durable jobs over HTTP: <c>POST /jobs/{model}</c> takes a JSON array of items (a typed model's items, or a tensor
/// model's v2 inference requests) and answers 202 once the job is written to the journal; the items run in the
/// background (batched as any request) while <c>GET /jobs/{id}</c> shows progress, <c>GET /jobs/{id}/results</c> the
/// answers so far (optionally waiting for the end), <c>GET /jobs/{id}/events</c> streams its events as Server-Sent
/// Events (resumable with <c>Last-Event-ID</c>), and <c>DELETE /jobs/{id}</c> cancels a running job or deletes an
/// ended one.
/// </summary>
public static class JobEndpoints
{
    /// <summary>The longest <c>wait</c> a results request may ask for.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>The request header a client names its submission with, so that a retried submit makes no second job.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Maps the job routes.</summary>
    /// <param name="app">The application's route builder.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var jobs = app.MapGroup("/jobs").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (JobsBusyException exception) when (!context.HttpContext.Response.HasStarted)
            {
                context.HttpContext.Response.Headers.RetryAfter = "5";
                return HttpErrors.Error(StatusCodes.Status503ServiceUnavailable, exception.Message);
            }
        });
        jobs.MapPost("/{model}", SubmitAsync);
        jobs.MapGet("", async (JobService service, HttpContext context) => Results.Json(new { jobs = await service.ListAsync(context.RequestAborted).ConfigureAwait(false) }, Json));
        jobs.MapGet("/{id}", async (string id, JobService service, HttpContext context) =>
            await service.GetAsync(id, results: false, context.RequestAborted).ConfigureAwait(false) is { } view ? Results.Json(view.Job, Json) : NotFound(id));
        jobs.MapGet("/{id}/results", ResultsAsync);
        jobs.MapGet("/{id}/events", EventsAsync);
        jobs.MapDelete("/{id}", DeleteAsync);
        return app;
    }

    private static async Task<IResult> SubmitAsync(string model, HttpContext context, ModelLibrary library, ModelVersions versions, JobService jobs, IOptions<ServerOptions> options)
    {
        // A repository model's newest version checks the items; the job runs on whichever version is newest as it runs.
        if (ModelLookup.Find(library, versions, model, null, out var description) is { } notFound)
        {
            return notFound;
        }

        if (context.RequestServices.GetRequiredService<ServerReadiness>().Stopping)
        {
            return HttpErrors.Error(StatusCodes.Status503ServiceUnavailable, JobTexts.Stopping(model));
        }

        if (HttpErrors.FailedToLoadMessage(description) is { } failed)
        {
            return HttpErrors.Error(StatusCodes.Status503ServiceUnavailable, failed); // as its requests: the job would only fail
        }

        var key = context.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var given) ? given.ToString() : null; // an empty one is refused, not taken for none
        if (JobItems.CheckKey(key, IdempotencyKeyHeader) is { } badKey)
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest, badKey);
        }

        var limit = options.Value.MaxRequestBodySize;
        if (await RequestBodies.ReadAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false) is not { } bytes)
        {
            return RequestBodies.TooLarge(limit);
        }

        (byte[] Items, int Count, string Kind) items;
        try
        {
            items = bytes.Length == 0
                ? throw new JobSubmissionException($"Model '{model}': a job takes a JSON array of items, and the body has none.")
                : JobItems.Read(library, description, bytes);
        }
        catch (JobSubmissionException exception)
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest, exception.Message);
        }

        switch (await jobs.SubmitAsync(new SubmitJob(model, items.Kind, items.Items, items.Count, key), context.RequestAborted).ConfigureAwait(false))
        {
            case JobAccepted accepted:
                context.Response.Headers.Location = $"/jobs/{accepted.Job.Id}";
                if (accepted.Replayed)
                {
                    context.Response.Headers["Idempotent-Replayed"] = "true";
                }

                return Results.Json(accepted.Job, Json, statusCode: StatusCodes.Status202Accepted);
            case JobKeyConflict conflict:
                return HttpErrors.Error(StatusCodes.Status422UnprocessableEntity, conflict.Reason);
            case JobRefused { Full: true } full:
                context.Response.Headers.RetryAfter = "5";
                return HttpErrors.Error(StatusCodes.Status429TooManyRequests, full.Reason);
            case JobRefused refused:
                return HttpErrors.Error(StatusCodes.Status503ServiceUnavailable, refused.Reason);
            case var other:
                throw new InvalidOperationException($"The job manager answered {other}.");
        }
    }

    private static async Task<IResult> ResultsAsync(string id, double? wait, HttpContext context, JobService jobs)
    {
        var view = wait is > 0
            ? await jobs.WaitAsync(id, TimeSpan.FromSeconds(Math.Min(wait.Value, MaxWait.TotalSeconds)), context.RequestAborted).ConfigureAwait(false)
            : await jobs.GetAsync(id, results: true, context.RequestAborted).ConfigureAwait(false);
        return view is null ? NotFound(id) : Results.Json(new { job = view.Job, results = view.Results }, Json);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, JobService jobs)
    {
        if (await jobs.GetAsync(id, results: false, context.RequestAborted).ConfigureAwait(false) is not { } view)
        {
            return NotFound(id);
        }

        if (view.Job.Status is JobStatus.Running or JobStatus.Queued)
        {
            return await jobs.CancelAsync(id, "cancelled by its client", context.RequestAborted).ConfigureAwait(false) is { } cancelled
                ? Results.Json(cancelled.Job, Json, statusCode: StatusCodes.Status202Accepted)
                : NotFound(id);
        }

        return await jobs.DeleteAsync(id, context.RequestAborted).ConfigureAwait(false) switch
        {
            JobDeleted => Results.Json(new { id, removed = true }, Json),
            JobView running => Results.Json(running.Job, Json, statusCode: StatusCodes.Status202Accepted),
            _ => NotFound(id),
        };
    }

    /// <summary>
    /// <c>GET /jobs/{id}/events[?items=true]</c>: the job's events as Server-Sent Events from its journal — <c>progress</c>
    /// (done and total), <c>item</c> (each answer, with <c>items=true</c>), then <c>finished</c>, <c>cancelled</c> or
    /// <c>failed</c> — each progress and end event with its journal sequence number as id; a client that reconnects
    /// with <c>Last-Event-ID</c> gets exactly the events after it.
    /// </summary>
    private static async Task EventsAsync(string id, bool? items, HttpContext context, JobService jobs, IHostApplicationLifetime lifetime)
    {
        var after = 0L;
        if (context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } last
            && !long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            await HttpErrors.Error(StatusCodes.Status400BadRequest, $"Job '{id}': Last-Event-ID is '{last}', not an event id of this job (a number).").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        // A stopping server ends its watches (the client resumes with Last-Event-ID), so they do not hold the stop for its grace.
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var aborted = watching.Token;
        IAsyncEnumerable<JobWatchEvent>? events;
        try
        {
            events = await jobs.WatchAsync(id, after, items == true, aborted).ConfigureAwait(false);
        }
        catch (JobEventIdException exception)
        {
            await HttpErrors.Error(StatusCodes.Status400BadRequest, exception.Message.Replace("event id", "Last-Event-ID", StringComparison.Ordinal)).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (events is null)
        {
            await NotFound(id).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
        try
        {
            await foreach (var watchEvent in events.ConfigureAwait(false))
            {
                var head = watchEvent.Id is { } eventId ? $"event: {watchEvent.Name}\nid: {eventId}\ndata: " : $"event: {watchEvent.Name}\ndata: ";
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(head), aborted).ConfigureAwait(false);
                await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(watchEvent.Data, Json), aborted).ConfigureAwait(false);
                await context.Response.Body.WriteAsync("\n\n"u8.ToArray(), aborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away (the job runs on), or the server is stopping.
        }
    }

    private static IResult NotFound(string id) => HttpErrors.Error(StatusCodes.Status404NotFound, JobTexts.NotFound(id));
}
